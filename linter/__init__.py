"""calico-lint: find the AWS settings that break Calico before they are deployed."""
from __future__ import annotations

__version__ = "0.1.0"
