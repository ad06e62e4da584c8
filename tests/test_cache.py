"""The content cache (hit, miss on changed content or version, corrupt entries, size bound, --no-cache), the
codec it stores, the parse pool, and the grammar tables kept out of $TMPDIR."""
from __future__ import annotations

import gc
import json
import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

import linter.model as model
from linter import codec, pool
from linter.cache import ContentCache
from linter.cli import cache_directory, cli
from linter.terraform import grammar, hcl, parsing
from linter.terraform.parsing import KIND, FileParser, parse_file

FIXTURES = Path(__file__).parent / "fixtures"
TF_FILES = sorted(FIXTURES.rglob("*.tf"))
MODULE = 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'


# ------------------------------------------------------------------------------------------ codec


_PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.lists(inner).map(tuple) | st.dictionaries(st.text() | st.integers(), inner)
    | st.frozensets(st.integers() | st.text()),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(_PLAIN)
def test_plain_values_come_back_as_they_went(value: object) -> None:
    decoded = codec.decoder({})(json.loads(json.dumps(codec.encode(value))))
    assert decoded == value and type(decoded) is type(value)


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixtures_syntax_comes_back_equal(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    syntax = parse_file(str(path), text)
    payload = parsing._payload(syntax)
    assert payload is not None
    assert parsing._syntax_of(payload, str(path)) == syntax


@pytest.mark.parametrize("data", [
    ["Nope", 1],  # a class outside the table
    ["Where", "f"],  # too few fields
    ["e", "Level", "loud"],  # not a member
    ["d", "key"],  # a key without its value
    [],  # no tag
    [3, 4],  # a tag that is not a name
])
def test_decoding_refuses_what_is_not_an_encoding_of_the_table(data: list) -> None:
    with pytest.raises(codec.CodecError):
        codec.decoder(codec.types_of(model))(data)


def test_an_enum_stays_an_enum() -> None:
    decode = codec.decoder(codec.types_of(model))
    level = decode(json.loads(json.dumps(codec.encode(model.Level.NOTE))))
    assert level is model.Level.NOTE


# ------------------------------------------------------------------------------------------ the store


def _entry(cache: ContentCache, key: str) -> Path:
    return Path(cache.directory) / "v1" / "kind" / key[:2] / key


def test_a_stored_payload_is_read_back(tmp_path: Path) -> None:
    cache = ContentCache(str(tmp_path))
    cache.put("kind", "a" * 64, '{"x": 1}')
    assert cache.get("kind", "a" * 64) == '{"x": 1}'
    assert cache.get("kind", "b" * 64) is None
    assert cache.get("other", "a" * 64) is None


@pytest.mark.parametrize("damage", [
    lambda data: data[:-3],  # truncated
    lambda data: data[:-1] + b"}",  # a payload byte changed
    lambda data: b"",  # empty
    lambda data: b"\x80\x81garbage\n{}",  # not our header
    lambda data: data.replace(b"calico-lint-cache/1", b"calico-lint-cache/9"),  # another format
])
def test_a_damaged_entry_is_a_miss_and_a_put_rewrites_it(tmp_path: Path, damage) -> None:
    cache = ContentCache(str(tmp_path))
    key = "c" * 64
    cache.put("kind", key, '["payload"]')
    path = _entry(cache, key)
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get("kind", key) is None
    cache.put("kind", key, '["payload"]')
    assert cache.get("kind", key) == '["payload"]'


def test_an_entry_copied_under_another_key_is_a_miss(tmp_path: Path) -> None:
    cache = ContentCache(str(tmp_path))
    cache.put("kind", "d" * 64, "[1]")
    target = _entry(cache, "e" * 64)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_entry(cache, "d" * 64).read_bytes())
    assert cache.get("kind", "e" * 64) is None


def test_trim_evicts_the_entries_used_longest_ago_down_to_the_limit(tmp_path: Path) -> None:
    cache = ContentCache(str(tmp_path), limit=3000)
    keys = [f"{n:064x}" for n in range(6)]
    for age, key in enumerate(keys):
        cache.put("kind", key, "x" * 900)
        os.utime(_entry(cache, key), (1_000_000 + age, 1_000_000 + age))
    stranger = Path(cache.directory) / "v1" / "kind" / "notes.txt"  # not ours: never evicted
    stranger.write_text("mine" * 2000)
    assert cache.get("kind", keys[0]) is not None  # a hit: now the newest
    assert cache.trim() == 4
    assert [key for key in keys if cache.get("kind", key) is not None] == [keys[0], keys[5]]
    assert stranger.exists()


def test_a_cache_that_cannot_be_written_is_no_cache(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    cache = ContentCache(str(blocked / "cache"))  # below a regular file: every write fails
    cache.put("kind", "f" * 64, "[1]")
    assert cache.get("kind", "f" * 64) is None
    assert cache.trim() == 0


# ------------------------------------------------------------------------------------------ the parse stage


def _parse_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed from now on (by the fast path ahead of a pool, or one by one)."""
    parsed: list[str] = []
    real, real_quick = parsing.parse_file, parsing._quick_syntax

    def counting(path: str, text: str) -> parsing.Syntax:
        parsed.append(Path(path).name)
        return real(path, text)

    def counting_quick(path: str, text: str) -> parsing.Syntax | None:
        syntax = real_quick(path, text)
        if syntax is not None:
            parsed.append(Path(path).name)
        return syntax

    monkeypatch.setattr(parsing, "parse_file", counting)
    monkeypatch.setattr(parsing, "_quick_syntax", counting_quick)
    return parsed


def _module(tmp_path: Path, files: int = 3) -> Path:
    directory = tmp_path / "infra"
    directory.mkdir()
    for number in range(files):
        (directory / f"f{number}.tf").write_text(MODULE.replace("main", f"v{number}"))
    return directory


def test_a_second_parser_reads_the_syntax_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ContentCache(str(tmp_path / "cache"), "1.0")
    parsed = _parse_counter(monkeypatch)
    first = FileParser(cache, workers=1).parse("/x/a.tf", MODULE)
    second = FileParser(cache, workers=1).parse("/elsewhere/b.tf", MODULE)  # same text: its syntax is the same
    assert parsed == ["a.tf"] and first.body == second.body


def test_changed_text_or_version_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _parse_counter(monkeypatch)
    FileParser(ContentCache(str(tmp_path), "1.0"), workers=1).parse("/x/a.tf", MODULE)
    FileParser(ContentCache(str(tmp_path), "1.0"), workers=1).parse("/x/a.tf", MODULE + "\n")
    FileParser(ContentCache(str(tmp_path), "1.1"), workers=1).parse("/x/a.tf", MODULE)
    assert parsed == ["a.tf"] * 3


def test_a_syntax_error_is_cached_with_the_file_it_is_in(tmp_path: Path) -> None:
    cache = ContentCache(str(tmp_path), "1.0")
    broken = 'resource "aws_vpc" "main" {\n  cidr_block = = 1\n}\n'
    FileParser(cache, workers=1).parse("/x/a.tf", broken)
    again = FileParser(cache, workers=1).parse("/y/b.tf", broken)
    assert again.body is None and again.problems and all(p.where.file == "/y/b.tf" for p in again.problems)
    assert again.problems[0].where.line == 2


def test_a_corrupt_entry_is_parsed_again_and_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ContentCache(str(tmp_path), "1.0")
    FileParser(cache, workers=1).parse("/x/a.tf", MODULE)
    [entry] = [p for p in Path(tmp_path, "v1", KIND).rglob("*") if p.is_file()]
    entry.write_bytes(entry.read_bytes()[:-10])
    parsed = _parse_counter(monkeypatch)
    assert FileParser(cache, workers=1).parse("/x/a.tf", MODULE).body is not None
    assert parsed == ["a.tf"]
    assert FileParser(cache, workers=1).parse("/x/a.tf", MODULE).body is not None
    assert parsed == ["a.tf"]  # rewritten whole: a hit now


def test_many_files_parse_in_a_pool_to_what_parsing_here_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    files = [(str(p), p.read_text(encoding="utf-8")) for p in TF_FILES]
    here = [(path, parse_file(path, text)) for path, text in files]
    quick = [Path(path).name for path, text in files if parsing._quick_syntax(path, text) is not None]
    assert len(files) - len(quick) >= parsing.POOL_MIN_FILES  # enough files that need Lark for a pool
    parsed = _parse_counter(monkeypatch)  # counts in this process only: the workers count in their copies
    monkeypatch.setattr(pool, "idle_cores", lambda: 2)  # however busy the machine is
    pooled = FileParser(None, workers=2)
    pooled.parse_all(files)
    assert [(path, pooled.parse(path, text)) for path, text in files] == here
    assert parsed == quick  # the fast path's here; every file that needs Lark came back from a worker


def test_a_handful_of_files_never_starts_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*_args: object) -> None:
        raise AssertionError("a pool for a handful of files")

    monkeypatch.setattr(parsing, "parallel_map", no_pool)
    parser = FileParser(None, workers=8)
    parser.parse_all([(f"/x/{n}.tf", MODULE) for n in range(parsing.POOL_MIN_FILES - 1)])
    assert parser.parse("/x/0.tf", MODULE).body is not None


# ------------------------------------------------------------------------------------------ the CLI


def _scan(*args: str) -> str:
    result = CliRunner().invoke(cli, ["scan", "--no-color", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_the_cli_caches_in_cache_dir_and_a_warm_run_reports_the_same(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    directory = _module(tmp_path)
    cache = tmp_path / "cache"
    cold = _scan("--cache-dir", str(cache), str(directory))
    assert len([p for p in (cache / "v1" / KIND).rglob("*") if p.is_file()]) == 3
    parsed = _parse_counter(monkeypatch)
    assert _scan("--cache-dir", str(cache), str(directory)) == cold
    assert parsed == []
    (directory / "f1.tf").write_text(MODULE.replace("main", "changed"))
    _scan("--cache-dir", str(cache), str(directory))
    assert parsed == ["f1.tf"]


def test_no_cache_neither_reads_nor_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = _module(tmp_path)
    cache = tmp_path / "cache"
    _scan("--cache-dir", str(cache), str(directory))
    before = sorted(p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file())
    parsed = _parse_counter(monkeypatch)
    _scan("--no-cache", "--cache-dir", str(cache), str(directory))
    assert sorted(parsed) == ["f0.tf", "f1.tf", "f2.tf"]
    assert sorted(p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()) == before


def test_the_configuration_names_the_cache_directory(tmp_path: Path) -> None:
    directory = _module(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".calico-lint.yaml").write_text("cache_dir: .cache/lint\n")
    _scan(str(directory))
    assert list((tmp_path / ".cache" / "lint" / "v1" / KIND).rglob("*"))


def test_the_default_directory_follows_xdg() -> None:
    home, cwd = Path("/home/me"), Path("/work")
    assert cache_directory(None, None, {"XDG_CACHE_HOME": "/xdg"}, home, cwd) == "/xdg/calico-lint"
    assert cache_directory(None, None, {"XDG_CACHE_HOME": "relative"}, home, cwd) == "/home/me/.cache/calico-lint"
    assert cache_directory(None, None, {}, home, cwd) == "/home/me/.cache/calico-lint"
    assert cache_directory(None, "/configured", {"XDG_CACHE_HOME": "/xdg"}, home, cwd) == "/configured"
    assert cache_directory("mine", "/configured", {}, home, cwd) == "/work/mine"


def test_a_scan_leaves_the_collector_as_it_found_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = parsing._quick_syntax

    def watching(path: str, text: str) -> parsing.Syntax | None:
        seen.append(gc.isenabled())
        return real(path, text)

    monkeypatch.setattr(parsing, "_quick_syntax", watching)
    assert gc.isenabled()
    _scan("--no-cache", str(_module(tmp_path)))
    assert seen and not any(seen)  # off while the trees are built
    assert gc.isenabled()


# ------------------------------------------------------------------------------------------ the grammar


def test_the_shipped_tables_are_those_of_the_installed_lark_and_grammar() -> None:
    shipped = grammar._shipped_tables()
    assert shipped is not None
    if shipped[0] != grammar.grammar_key():
        pytest.skip("lark or python-hcl2 differ from those the shipped tables were built with: "
                    "run `python -m linter.terraform.grammar`")
    assert grammar.make_parser(None).source == "shipped"


def test_without_shipped_tables_the_parser_is_built_once_into_the_cache_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grammar, "_shipped_tables", lambda: None)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))  # Lark's own cache would land here
    cache = ContentCache(str(tmp_path / "cache"))
    built = grammar.make_parser(cache)
    loaded = grammar.make_parser(cache)
    assert (built.source, loaded.source) == ("built", "cache")
    assert not list(temporary.iterdir())
    text = (FIXTURES / "terraform_eval").rglob("*.tf").__next__().read_text(encoding="utf-8") + "\n"
    assert loaded.parser.parse(text) == built.parser.parse(text)
    [entry] = [p for p in Path(cache.directory, "v1", "grammar").rglob("*") if p.is_file()]
    entry.write_bytes(entry.read_bytes()[:-100])  # damaged: rebuilt, and written again
    assert grammar.make_parser(cache).source == "built"
    assert grammar.make_parser(cache).source == "cache"


def test_the_process_parser_is_made_once() -> None:
    source = hcl.prepare_parser(None)
    assert hcl.prepare_parser(ContentCache("/nonexistent")) == source


def test_a_busy_machine_parses_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "idle_cores", lambda: 1)
    assert pool.parallel_map(str, ["a", "b", "c"], 4) is None
