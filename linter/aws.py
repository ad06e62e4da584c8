"""Evidence in user data that a node turns its own source/destination check off."""
from __future__ import annotations

import re

# aws ec2 modify-instance-attribute --instance-id ... --no-source-dest-check
# aws ec2 modify-instance-attribute --source-dest-check "{\"Value\": false}"
# aws ec2 modify-network-interface-attribute --no-source-dest-check
_DISABLES = re.compile(
    r"modify-(?:instance|network-interface)-attribute\b[^\n]*?"
    r"(?:--no-source-dest-check\b|--source-dest-check[\s=]+[\"'{\\\s]*(?:\"?Value\\?\"?\s*[:=]\s*)?false)",
    re.IGNORECASE,
)


def disables_src_dst_check(user_data: str) -> bool:
    """True when the script visibly disables the check (multi-line commands joined first)."""
    joined = re.sub(r"\\\r?\n\s*", " ", user_data)
    return bool(_DISABLES.search(joined))
