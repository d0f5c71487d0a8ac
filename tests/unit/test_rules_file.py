"""The rules file: the default set, errors that name the key path, reload on change, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ioc.rules.loader import RulesError, RuleSource, default_text, load_rules, parse_rules

GOOD = yaml.safe_load(default_text())


def text_with(change: dict[str, object], rule: int = 1) -> str:
    doc = yaml.safe_load(default_text())
    doc["rules"][rule].update(change)
    return yaml.safe_dump(doc, allow_unicode=True)


def refusal(text: str) -> str:
    with pytest.raises(RulesError) as err:
        parse_rules(text, "f.yaml")
    return str(err.value)


def test_the_default_set_loads_and_cites_its_sources() -> None:
    rules = load_rules()
    ids = {r.id for r in rules.rules}
    assert {"air.vn_aqi", "water.river_level", "water.salinity", "water.flood_depth",
            "noise.qcvn26", "lighting.fault_ratio", "feed.lost"} <= ids  # fmt: skip
    sources = {r.id: r.source for r in rules.rules}
    assert "1459/QĐ-TCMT" in sources["air.vn_aqi"]
    assert "05/2020/QĐ-TTg" in sources["water.river_level"]
    assert "QCVN 26:2010/BTNMT" in sources["noise.qcvn26"]
    river = rules.rule("water.river_level")
    assert river is not None and [s.label_vi for s in river.steps] == [
        "Báo động I", "Báo động II", "Báo động III",
    ]  # fmt: skip
    noise = rules.rule("noise.qcvn26")
    assert noise is not None and [p.levels[0] for p in noise.periods] == [70, 55]


def test_an_unknown_key_is_refused_with_its_path() -> None:
    assert "f.yaml: rules.1.treshold: Extra inputs are not permitted" in refusal(
        text_with({"treshold": 2})
    )
    doc = dict(GOOD, extra=1)
    assert "f.yaml: extra: Extra inputs are not permitted" in refusal(yaml.safe_dump(doc))


def test_bad_levels_are_refused_with_their_path() -> None:
    steps = GOOD["rules"][1]["steps"]
    swapped = [dict(steps[1]), dict(steps[0]), dict(steps[2])]
    assert "rules.1: steps: step levels must be strictly rising" in refusal(
        text_with({"steps": swapped})
    )
    bad = [dict(steps[0], level="cao"), *steps[1:]]
    assert "rules.1.steps.0.level: Input should be a valid number" in refusal(
        text_with({"steps": bad})
    )
    assert "rules.1: overrides.wl-1: 2 levels for 3 steps" in refusal(
        text_with({"overrides": {"wl-1": [1, 2]}})
    )
    assert "rules.1.hold: Value error, a duration" in refusal(text_with({"hold": "soon"})) or (
        "rules.1.hold: a duration" in refusal(text_with({"hold": "soon"}))
    )
    assert "rules.1.scope: unknown metric 'level'" in refusal(
        text_with({"scope": {"domain": "water", "metric": "level"}})
    )


def test_a_template_with_an_unknown_field_is_refused() -> None:
    msg = {"vi": "Mực nước {muc_nuoc}", "en": "{value}"}
    out = refusal(text_with({"message": msg}))
    assert "rules.1.message.vi: unknown field {muc_nuoc}" in out
    attr = {"vi": "{value.__class__}", "en": "{value}"}
    assert "rules.1.message.vi: unknown field" in refusal(text_with({"message": attr}))


def test_not_yaml_or_not_a_mapping() -> None:
    assert "not valid YAML at line" in refusal("rules: [\n")
    assert "the file must be a mapping" in refusal("- 1\n")


def test_reload_on_change_and_a_bad_file_keeps_the_rules_in_force(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(default_text(), encoding="utf-8")
    now = [1000.0]
    source = RuleSource(path, every_s=5, clock=lambda: now[0])
    assert source.loaded.error is None and len(source.current().rules) == len(GOOD["rules"])
    path.write_text(text_with({"hold": "20m"}), encoding="utf-8")
    assert source.current().rules[1].hold == 600  # not re-read before every_s
    now[0] += 6
    assert source.current().rules[1].hold == 1200
    good = source.loaded.digest
    path.write_text(text_with({"bogus": True}), encoding="utf-8")
    now[0] += 6
    assert source.current().rules[1].hold == 1200  # the previous rules stay in force
    assert source.loaded.digest == good and "rules.1.bogus" in (source.loaded.error or "")
    path.unlink()
    now[0] += 6
    assert source.current().rules[1].hold == 1200 and "cannot read" in (source.loaded.error or "")


def test_a_bad_file_at_start_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: 2\n", encoding="utf-8")
    with pytest.raises(RulesError, match="version"):
        RuleSource(path)


def test_rules_check_command(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(default_text(), encoding="utf-8")
    bad.write_text(text_with({"message": {"vi": "{x}", "en": "{value}"}}), encoding="utf-8")
    cmd = [sys.executable, "-m", "cli", "rules", "check"]
    ok = subprocess.run([*cmd, str(good)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert "rules OK" in ok.stdout and "water.river_level" in ok.stdout
    no = subprocess.run([*cmd, str(bad)], capture_output=True, text=True, check=False)
    assert no.returncode == 1 and "rules.1.message.vi: unknown field {x}" in no.stderr
