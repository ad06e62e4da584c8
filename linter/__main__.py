"""`python -m linter` and the `calico-lint` script. `--version` is answered here, before click and the CLI are
imported: they are most of its cost (python -X importtime); everything else is the CLI's, run without the
cyclic GC."""
from __future__ import annotations

import gc
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:  # what click's version_option prints
        from linter import __version__

        sys.stdout.write(f"calico-lint, version {__version__}\n")
        return
    # one command, then the process ends: no cyclic GC (it re-walks every module imported and the model)
    gc.disable()
    from linter.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
