"""Option values that are small languages of their own (tier specs), parsed into settings with a located error
naming the option, the value and the accepted forms — never a Python traceback."""

from __future__ import annotations

import difflib
import math
import re
from pathlib import Path

from xianping.problems import XianpingInputError

TIER_FORMS = "top_n:30 | quantile:4 | natural_breaks:5 (or jenks:5) | fixed:40/60/80"
_METHODS = {"top_n": "top_n", "quantile": "quantile", "natural_breaks": "natural_breaks", "jenks": "natural_breaks",
            "fixed": "fixed"}


def _bad(option: str, value: str, why: str) -> XianpingInputError:
    return XianpingInputError(f"{option} {value!r}: {why}; expected {TIER_FORMS}")


def _did_you_mean(method: str, sep: str) -> str:
    glued = None if sep else re.fullmatch(r"([a-z_]+?)_?(\d+)", method)   # 'top30', 'quantile4'
    if glued:
        base, n = glued.groups()
        base = "top_n" if base == "top" else base
        if base in _METHODS:
            return f" (did you mean {base}:{n}?)"
    near = difflib.get_close_matches(method, list(_METHODS), n=1)
    return f" (did you mean {near[0]}:…?)" if near else ""


def tier_spec(value: str, option: str = "--tiers") -> dict:
    """'top_n:30' → {"method": "top_n", "n": 30}; 'quantile:4', 'natural_breaks:5' / 'jenks:5', 'fixed:40/60/80'."""
    text = value.strip()
    method, sep, arg = text.partition(":")
    method = method.strip().lower()
    arg = arg.strip()
    if method not in _METHODS:
        raise _bad(option, value, f"unknown tier method {method!r}" + _did_you_mean(method, sep))
    method = _METHODS[method]
    if method == "fixed":
        if not arg:
            raise _bad(option, value, "fixed needs cut-off scores, e.g. fixed:40/60/80")
        try:
            cuts = [float(c) for c in arg.split("/")]
        except ValueError:
            raise _bad(option, value, f"cut-offs {arg!r} are not numbers separated by '/'") from None
        if not all(math.isfinite(c) for c in cuts) or sorted(set(cuts)) != cuts:
            raise _bad(option, value, f"cut-offs {arg!r} must be finite and increasing")
        return {"method": "fixed", "cuts": cuts}
    default = {"top_n": 30, "quantile": 4, "natural_breaks": 5}[method]
    if not arg:
        n = default
    elif re.fullmatch(r"\d+", arg):
        n = int(arg)
    else:
        raise _bad(option, value, f"{arg!r} is not a whole number")
    if method == "top_n" and n < 1:
        raise _bad(option, value, "top_n needs at least 1 unit")
    if method != "top_n" and not 2 <= n <= 20:
        raise _bad(option, value, f"{method} needs 2 to 20 classes")
    return {"method": method, "n": n} if method == "top_n" else {"method": method, "k": n}


def settings_file(path: Path, option: str = "--settings") -> dict:
    """An evaluation settings file (YAML, or JSON by its suffix) read with the YAML loader's limits; a missing,
    binary or malformed file is an error naming the option, the file and the line."""
    import json

    from xianping.frameworks.yaml_lines import YamlSyntaxError, safe_load
    from xianping.problems import ProblemReport

    if not path.is_file():
        raise XianpingInputError(f"{option} {path}: " + ("is a folder; expected a YAML or JSON file" if path.is_dir()
                                                          else "no such file"))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise XianpingInputError(f"{option} {path}: not UTF-8 text (byte {e.start}); expected a YAML or JSON file") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else safe_load(text)
    except json.JSONDecodeError as e:
        raise XianpingInputError(f"{option} {path}, line {e.lineno}: not valid JSON ({e.msg})") from None
    except YamlSyntaxError as e:
        raise XianpingInputError(f"{option} {path}: not valid YAML", ProblemReport(e.problems(str(path)))) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise XianpingInputError(f"{option} {path}: expected a mapping of settings (key: value), got a {type(data).__name__}")
    tiers = data.get("tiers")
    if isinstance(tiers, str):   # the --tiers form, e.g. tiers: top_n:30
        data["tiers"] = tier_spec(tiers, f"{option} {path}: tiers")
    elif tiers is not None:      # {method: …, n/k/cuts: …}: checked through the same rules
        if not isinstance(tiers, dict) or not isinstance(tiers.get("method"), str):
            raise XianpingInputError(f"{option} {path}: tiers: expected {{method: top_n, n: 30}} or a string "
                                     f"such as {TIER_FORMS}")
        arg = tiers.get("n", tiers.get("k", "/".join(str(c) for c in tiers.get("cuts") or [])))
        data["tiers"] = {**tiers, **tier_spec(f"{tiers['method']}:{arg}" if arg not in (None, "") else tiers["method"],
                                              f"{option} {path}: tiers")}
    return data


def numbers(value: str, option: str, expected: str = "numbers separated by commas, e.g. 0.4,0.3,0.3") -> list[float]:
    """'0.4,0.3,0.3' → [0.4, 0.3, 0.3]; a part that is not a finite number is an error naming it."""
    out = []
    for part in value.split(","):
        try:
            x = float(part)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            raise XianpingInputError(f"{option} {value!r}: {part.strip()!r} is not a finite number; expected {expected}")
        out.append(x)
    return out


def choice(value: str, option: str, choices: list[str] | tuple[str, ...]) -> str:
    """`value` if it is one of `choices`, else an error naming the option, the value and the choices."""
    if value in choices:
        return value
    near = difflib.get_close_matches(value, list(choices), n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    raise XianpingInputError(f"{option} {value!r}: not one of {' | '.join(choices)}{hint}")
