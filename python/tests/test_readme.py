"""The README's Python example runs as written (from the repository root)."""

import re

from conftest import ROOT


def readme_python():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "README's Python section has no ```python block"
    return "\n".join(blocks)


def test_the_readme_example_runs(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    exec(compile(readme_python(), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "probability_met" in out
    assert "bad-table-format.toml 4 outputs.format" in out


def test_the_notebook_example_runs(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("CIVITAS_EXAMPLE_OUT", str(tmp_path))
    path = ROOT / "python" / "examples" / "explore_baseline.py"
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), {"__name__": "__main__"})
