"""The bounds on the work one scan may do (issue 9): every limit in one place, far above real configurations.

A value over a limit is UNKNOWN (or a CAL000) whose text names the limit, never a hang or a MemoryError.
Imports nothing of ours.
"""
from __future__ import annotations

# bytes read from any one file: the largest real plans seen are ~12 MB (a monorepo's `terraform show -json`)
MAX_FILE_BYTES = 64 * 1024 * 1024
# nodes of a YAML file as written (its documents together), and of one document once its aliases are
# expanded: Calico's largest manifest has ~20,000; a billion-laughs file has 10^9 from 448 bytes
MAX_YAML_NODES = 1_000_000
# CloudFormation: characters of one template, and its nodes once YAML aliases are expanded. CloudFormation
# itself accepts templates of up to 1 MB (~100,000 nodes); cfn-lint stops at 250,000 expanded nodes
MAX_CFN_TEMPLATE_CHARS = 4 * 1024 * 1024
MAX_CFN_TEMPLATE_NODES = 250_000
# levels of YAML nesting: far above any real document, far below what recursive readers (~3 frames a level) survive
MAX_YAML_NESTING = 64
# characters aliases add to a YAML document (a long string shared through nested aliases: "string laughs")
MAX_YAML_ALIAS_CHARS = 16 * 1024 * 1024
# Terraform: tokens of one .tf file (words, numbers, each other character; ~275,000 a MB of real HCL, the
# corpus's largest file has 10,000), and of one the full parser (Lark, ~0.8 KB of memory a token) reads
MAX_HCL_TOKENS = 1_000_000
MAX_HCL_PARSER_TOKENS = 500_000
# Terraform: nodes (list and map elements) of one value seen as a tree (shared sub-values counted each time)
MAX_VALUE_NODES = 200_000
# Terraform: characters of one string, and of all the strings held by one value
MAX_STRING_CHARS = 16 * 1024 * 1024
MAX_VALUE_CHARS = 64 * 1024 * 1024
# Terraform: evaluation steps (each expression evaluated, each element built or visited, each 256 characters
# of string built: 64 MiB of strings at most) for one root module and the modules it calls: the corpus's
# largest root takes ~7,000; 250,000 is about a second of work
MAX_EVALUATION_STEPS = 250_000
# Terraform: resource and module instances of one root module, across nested module count/for_each x
# resource count (the corpus's largest root has ~130; 5,000 take about a second)
MAX_TOTAL_INSTANCES = 5_000
# Terraform: instances of one `count` / `for_each` (a larger one is UNKNOWN rather than expanded)
MAX_INSTANCES = 10_000
# Terraform: the memory RE2 may use to compile one regex() / regexall() / replace() pattern
MAX_REGEX_MEMORY = 8 * 1024 * 1024


def over(limit_name: str, limit: int) -> str:
    """The text an UNKNOWN or CAL000 uses for a value past a limit."""
    return f"over calico-lint's limit of {limit:,} {limit_name}"
