# A small Calico cluster on AWS with the mistakes calico-lint exists to catch.
# Run: calico-lint examples/terraform-cluster

variable "cluster_name" {
  default = "demo"
}

variable "worker_count" {
  default = 3
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "az" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  availability_zone = element(["eu-west-1a", "eu-west-1b"], count.index)
}

resource "aws_security_group" "controllers" {
  name   = "${var.cluster_name}-controllers"
  vpc_id = aws_vpc.main.id

  ingress {
    description = "BGP open to the world: anyone can inject routes"
    protocol    = "tcp"
    from_port   = 179
    to_port     = 179
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "workers" {
  name   = "${var.cluster_name}-workers"
  vpc_id = aws_vpc.main.id

  ingress {
    protocol  = "tcp"
    from_port = 179
    to_port   = 179
    self      = true
  }

  ingress {
    description = "meant to be IP-in-IP, but IP-in-IP is protocol 4"
    protocol    = "94"
    from_port   = 0
    to_port     = 0
    self        = true
  }

  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "controller" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.medium"
  subnet_id              = aws_subnet.az[0].id
  vpc_security_group_ids = [aws_security_group.controllers.id]
}

resource "aws_instance" "workers" {
  count                  = var.worker_count
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.large"
  subnet_id              = element(aws_subnet.az.*.id, count.index)
  vpc_security_group_ids = [aws_security_group.workers.id]
  source_dest_check      = false
}
