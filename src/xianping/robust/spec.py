"""The uncertainty spec: which method choices are uncertain, and how (YAML or Python, pydantic).

An uncertainty analysis is "evaluate again with other settings", many times. The spec lists the
uncertain inputs; each is one input of the sensitivity analysis (a group of sampled coordinates):

- ``weights``: multiplicative noise on the weights at a COINr level (1 = the indicators' weights in
  their parents, 2 = the next level up …) or on the children of named ``nodes``: every weight is
  multiplied by U(1 − noise, 1 + noise) and the weights of each node renormalised to sum 1
  (COINr ``get_noisy_weights``). Continuous: one coordinate per weight.
- ``goalposts``: each goalpost of a goalposts normalisation moved by up to ±noise of its range (one coordinate
  per goalpost); the data are normalised again per sample through the engine's sample axis.
- discrete inputs, an index into ``alternatives`` drawn uniformly (COINr maps U(0, 1) to a level the
  same way): ``normalisation`` (engine normalisation dicts; ``to: [1, 100]`` for min–max to [1, 100]),
  ``aggregation`` (at ``level`` / ``nodes``, default every node), ``weighting`` (a weight method for the
  children of those nodes: equal, entropy, critic, cv, std, pca), ``imputation`` (engine impute dicts),
  ``entropy_variant`` (every entropy-weighted node), ``exclude`` (lists of indicator codes left out:
  their weight becomes 0), and ``setting`` (any evaluation setting by dotted ``path``, e.g.
  ``treat.winmax``, ``screen.unit_threshold``, ``panel``).

    inputs:
      - {name: w_ind, kind: weights, level: 1, noise: 0.25}
      - {name: agg, kind: aggregation, alternatives: [arithmetic, geometric]}

Problems are located by file, line and key path (`load_spec`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from xianping.problems import ProblemReport, XianpingInputError

__all__ = ["UncertaintySpec", "WeightNoise", "GoalpostNoise", "Discrete", "load_spec", "spec_from_dict", "DISCRETE_KINDS"]

DISCRETE_KINDS = ("normalisation", "aggregation", "weighting", "imputation", "entropy_variant", "exclude", "setting")
NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"
# settings that act before scoring: a change needs the data prepared again
PREPARE_SETTINGS = ("normalisation", "impute", "treat", "screen", "panel", "missing_years", "anchors", "base_year")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WeightNoise(_Strict):
    """Weights × U(1 − noise, 1 + noise), each weight its own coordinate, renormalised per node."""

    name: str = Field(pattern=NAME_PATTERN)
    kind: Literal["weights"]
    noise: float = Field(gt=0, lt=1)
    level: int | None = Field(default=None, ge=1)
    nodes: list[str] | None = None

    @model_validator(mode="after")
    def _where(self) -> "WeightNoise":
        if (self.level is None) == (self.nodes is None):
            raise ValueError("[weights_target] give either level (1 = indicators' weights) or nodes (their children's "
                             "weights) | expected level: <n> or nodes: [codes]")
        return self


class GoalpostNoise(_Strict):
    """Goalposts (goalposts normalisation) moved: L' = L + noise·(U − L)·(2u − 1), U' likewise with its own u,
    per indicator (all with goalposts, or `indicators`). The data are normalised again per sample, batched."""

    name: str = Field(pattern=NAME_PATTERN)
    kind: Literal["goalposts"]
    noise: float = Field(gt=0, lt=0.5)
    indicators: list[str] | None = None


class Discrete(_Strict):
    """One of `alternatives`, drawn uniformly."""

    name: str = Field(pattern=NAME_PATTERN)
    kind: Literal["normalisation", "aggregation", "weighting", "imputation", "entropy_variant", "exclude", "setting"]
    alternatives: list[Any] = Field(min_length=1)
    level: int | None = Field(default=None, ge=2)  # aggregation/weighting: nodes at this COINr level (2 = parents of indicators)
    nodes: list[str] | None = None  # aggregation / weighting / entropy_variant: these nodes only
    path: str | None = None  # setting: dotted path into the evaluation settings

    @field_validator("alternatives")
    @classmethod
    def _alts(cls, v: list[Any]) -> list[Any]:
        return v

    @model_validator(mode="after")
    def _options(self) -> "Discrete":
        k = self.kind
        if k == "setting" and not self.path:
            raise ValueError("[setting_without_path] a setting input needs the setting's dotted path | expected path: "
                             "e.g. treat.winmax")
        if k != "setting" and self.path is not None:
            raise ValueError(f"[option_not_for_kind] path applies to kind setting only, not {k}")
        if k not in ("aggregation", "weighting") and self.level is not None:
            raise ValueError(f"[option_not_for_kind] level applies to aggregation, weighting (and weights), not {k}")
        if k not in ("aggregation", "weighting", "entropy_variant") and self.nodes is not None:
            raise ValueError(f"[option_not_for_kind] nodes applies to aggregation, weighting and entropy_variant, not {k}")
        alts = []
        for i, a in enumerate(self.alternatives):
            if k in ("normalisation", "aggregation", "weighting", "imputation"):
                if isinstance(a, str):
                    a = {"method": a}
                if not isinstance(a, dict) or "method" not in a:
                    raise ValueError(f"[bad_alternative] alternative {i} of {k} needs a method | expected a method name or "
                                     "{method: …, options}")
                if k == "normalisation" and "to" in a:
                    to = a.pop("to")
                    if a.get("method") != "min_max" or list(to) not in ([0, 100], [1, 100]):
                        raise ValueError(f"[bad_alternative] alternative {i}: 'to' is min_max's target range, [0, 100] or "
                                         "[1, 100] | expected method: min_max, to: [1, 100]")
                    a = {**a, "shift": "spssau_interval" if list(to) == [1, 100] else "none"}
            elif k == "entropy_variant":
                if a not in ("zero_ln_zero", "shift", "epsilon_rescale", "spssau_shift"):
                    raise ValueError(f"[bad_alternative] alternative {i}: unknown entropy variant {a!r} | expected "
                                     "zero_ln_zero, shift, epsilon_rescale or spssau_shift")
            elif k == "exclude":
                if isinstance(a, str):
                    a = [a]
                if not isinstance(a, list) or not all(isinstance(c, str) for c in a):
                    raise ValueError(f"[bad_alternative] alternative {i} of exclude is not a list of codes | expected "
                                     "[] (nothing excluded) or [code, …]")
            alts.append(a)
        self.alternatives = alts
        return self

    @property
    def prepares(self) -> bool:
        """Does a change of this input need the data prepared again (not only scored)?"""
        if self.kind in ("normalisation", "imputation"):
            return True
        return self.kind == "setting" and self.path.split(".")[0] in PREPARE_SETTINGS


Input = Annotated[Union[WeightNoise, GoalpostNoise, Discrete], Field(discriminator="kind")]


class UncertaintySpec(_Strict):
    """The uncertain inputs, the design, and what to report."""

    name: str | None = None
    description: str | None = None
    inputs: list[Input] = Field(default_factory=list)
    design: Literal["uncertainty", "sobol"] = "uncertainty"
    tiers: dict[str, Any] | None = None  # default: the evaluation's tiers (top_n 30: 第一方阵)
    bootstrap: int = Field(default=500, ge=0)  # bootstrap resamples for the Sobol CIs
    chunk: int | None = Field(default=None, ge=1)  # samples per engine call (default: ~2 MB per node array)

    @model_validator(mode="after")
    def _unique(self) -> "UncertaintySpec":
        names = [i.name for i in self.inputs]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"[duplicate_input] input names must be unique: {', '.join(dup)}")
        return self

    @property
    def discrete(self) -> list[Discrete]:
        return [i for i in self.inputs if isinstance(i, Discrete)]


def spec_from_dict(data: dict[str, Any], file: str | None = None, lines=None) -> UncertaintySpec:
    """Validate a spec given as a dict (from Python or YAML); problems located by key path (and line)."""
    from xianping.frameworks.located import pydantic_problems

    try:
        return UncertaintySpec.model_validate(data)
    except ValidationError as err:
        report = ProblemReport(pydantic_problems(err, file, lines))
        raise XianpingInputError(f"uncertainty spec{' ' + file if file else ''} is not valid", report) from None


def load_spec(spec: str | Path | dict | UncertaintySpec) -> UncertaintySpec:
    """A spec from a YAML/JSON file, a dict, or an UncertaintySpec (returned as is)."""
    if isinstance(spec, UncertaintySpec):
        return spec
    if isinstance(spec, dict):
        return spec_from_dict(spec)
    from xianping.frameworks.yaml_lines import YamlSyntaxError, load_with_lines

    from xianping.ingest.read_text import read_text

    path = Path(spec)
    report = ProblemReport()
    if not path.exists():
        raise XianpingInputError(f"uncertainty spec {path} does not exist")
    try:
        data, lines = load_with_lines(read_text(path, "uncertainty spec"))  # an undecodable file is named
    except YamlSyntaxError as e:
        report.add("yaml_syntax", f"YAML syntax error: {e.message}", file=str(path), row=e.line, expected="valid YAML")
        raise XianpingInputError(f"uncertainty spec {path} is not valid YAML", report) from None
    if not isinstance(data, dict):
        report.add("not_a_mapping", "an uncertainty spec is a mapping with inputs: [...]", file=str(path), row=1,
                   expected="inputs: [{name: …, kind: …}, …]")
        raise XianpingInputError(f"uncertainty spec {path} is not valid", report)
    return spec_from_dict(data, str(path), lines)
