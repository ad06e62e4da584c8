"""User data is read as a shell reads it (issue 12 item 4): comments and quotes count, `sh -c`, `eval`,
here-documents, command substitution, cloud-config and MIME parts run their commands."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from linter.aws import disables_src_dst_check, shell_commands

ID = '"$(curl -s http://169.254.169.254/latest/meta-data/instance-id)"'


@pytest.mark.parametrize("script", [
    "aws ec2 modify-instance-attribute --instance-id $ID --no-source-dest-check",
    f"aws ec2 modify-instance-attribute --instance-id {ID} \\\n  --source-dest-check '{{\"Value\": false}}'",
    'aws ec2 modify-network-interface-attribute --network-interface-id "$ENI" --no-source-dest-check',
    "aws --region eu-west-1 ec2 modify-instance-attribute --instance-id x --source-dest-check=false",
    "aws ec2 modify-instance-attribute --instance-id x --attribute sourceDestCheck --value false",
    "set -e; ID=1 && aws ec2 modify-instance-attribute --instance-id $ID --no-source-dest-check # off",
    'sudo sh -c "aws ec2 modify-instance-attribute --instance-id $ID --no-source-dest-check"',
    "eval aws ec2 modify-instance-attribute --no-source-dest-check",
    "OUT=$(aws ec2 modify-instance-attribute --instance-id x --no-source-dest-check)",
    "cat > /opt/off.sh <<'EOF'\n#!/bin/sh\naws ec2 modify-instance-attribute --no-source-dest-check\nEOF\nsh /opt/off.sh",
    "#cloud-config\nruncmd:\n  - aws ec2 modify-instance-attribute --instance-id x --no-source-dest-check\n",
    "#cloud-config\nbootcmd:\n  - [aws, ec2, modify-instance-attribute, --no-source-dest-check]\n",
    'Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n--B\nContent-Type: text/x-shellscript\n\n'
    "#!/bin/bash\naws ec2 modify-instance-attribute --no-source-dest-check\n--B--\n",
])
def test_commands_that_turn_the_check_off(script: str) -> None:
    assert disables_src_dst_check(script)


@pytest.mark.parametrize("script", [
    "# aws ec2 modify-instance-attribute --instance-id $ID --no-source-dest-check",
    "echo done # aws ec2 modify-instance-attribute --no-source-dest-check",
    "echo 'aws ec2 modify-instance-attribute --no-source-dest-check'",
    'logger "run aws ec2 modify-instance-attribute --no-source-dest-check by hand"',
    "cat <<< 'aws ec2 modify-instance-attribute --no-source-dest-check'",
    "aws ec2 modify-instance-attribute --instance-id x --source-dest-check true",
    "aws ec2 describe-instances --no-source-dest-check",
    "#cloud-config\nruncmd:\n  - echo '# aws ec2 modify-instance-attribute --no-source-dest-check'\n",
    ": <<'NOTE'\nthis note's text: don't run\nNOTE\necho fine",
])
def test_commented_quoted_or_other_commands_do_not(script: str) -> None:
    assert not disables_src_dst_check(script)


def test_words_lose_their_quotes_and_keep_substitutions() -> None:
    assert shell_commands("a 'b c' \"d $(e \"f\")\" g\\ h; i") == [["a", "b c", 'd $(e "f")', "g h"], ["e", "f"], ["i"]]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab #'\"\\$()`;&|<-\n\tcE")), max_size=200))
def test_any_text_reads_without_error(script: str) -> None:
    assert isinstance(disables_src_dst_check(script), bool)


def test_gzipped_user_data_is_read() -> None:
    import base64
    import gzip

    from linter.terraform.to_model import decoded_user_data

    script = "#!/bin/sh\naws ec2 modify-instance-attribute --no-source-dest-check\n"
    encoded = base64.b64encode(gzip.compress(script.encode(), mtime=0)).decode()
    assert decoded_user_data(encoded) == script
