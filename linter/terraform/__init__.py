"""Terraform -> Model: HCL and `.tf.json` modules, and `terraform show -json` plans.

Both front ends produce `TfResource`s (`values`) that one mapping (`to_model`) turns into the model, so
HCL and plans give the same model for the same configuration. `embedded` reads the Calico manifests,
Helm values and CloudFormation templates that Terraform resources carry.

    hcl.py, json_syntax.py   text -> syntax tree (with lines); grammar.py: the parser's tables
    parsing.py               files -> syntax, once per content (content cache, process pool)
    modules.py, evaluate.py  modules, variables, count/for_each, expressions -> TfResource
    plan.py                  plan JSON (+ its .tf files) -> TfResource
    to_model.py, embedded.py TfResource -> Model
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from linter.cache import ContentCache
from linter.confine import Confinement
from linter.model import Model


@dataclass(frozen=True, slots=True)
class TerraformInputs:
    var_files: tuple[str, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
    # what may be read (files, modules, `file()`); None: the module directories and their repository root
    confinement: Confinement | None = None
    cache: ContentCache | None = None  # the files' syntax between runs (None: parsed every run)
    workers: int = 1  # processes that may parse the files (1: this one)


@dataclass(frozen=True, slots=True)
class TerraformModel:
    model: Model
    notes: tuple[str, ...] = ()  # what could not be followed (remote modules, ...)
    roots: tuple[str, ...] = ()  # root module directories (absolute POSIX): one deployment each


def load_modules(module_dirs: Sequence[str], inputs: TerraformInputs = TerraformInputs()) -> TerraformModel:
    """The model of Terraform module directories (roots and the local modules they call)."""
    from linter.suppression_comments import scan_comment_suppressions
    from linter.terraform.embedded import embedded_models
    from linter.terraform.modules import TfOptions, load_terraform
    from linter.terraform.to_model import resources_to_model
    from linter.model import merge_models

    loaded = load_terraform(list(module_dirs), TfOptions(inputs.var_files, inputs.variables, inputs.confinement,
                                                         inputs.cache, inputs.workers))
    suppressions = tuple(s for path, text in loaded.sources for s in scan_comment_suppressions(text, path))
    model = merge_models([
        resources_to_model(loaded.resources),
        embedded_models(loaded.resources, loaded.files_read),
        Model(problems=loaded.problems, suppressions=suppressions, files=tuple(path for path, _ in loaded.sources)),
    ])
    return TerraformModel(model, tuple(loaded.notes), loaded.roots)


def load_plan(path: str, *, tf_root: str | None = None, text: str | None = None,
              confinement: Confinement | None = None) -> Model:
    """The model of one plan JSON file; `tf_root` holds its `.tf` files (lines, suppressions)."""
    from linter.terraform.plan import load_plan as _load_plan

    return _load_plan(path, tf_root=tf_root, text=text, confinement=confinement)
