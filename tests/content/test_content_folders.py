"""Course folders on disk, the content hash, and loading a whole courses/ tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from ce_platform.content import (
    compute_content_hash,
    load_courses,
    parse_course,
    read_course_folder,
    write_course_folder,
)

from .coursekit import PROVIDER_YML, SLUG, TODAY, valid_files

REAL_COURSES = Path(__file__).resolve().parents[2] / "courses"


def as_bytes(files: dict) -> dict[str, bytes]:
    return {name: data.encode() if isinstance(data, str) else data for name, data in files.items()}


def test_write_then_read_round_trips_every_file_exactly(tmp_path):
    files = as_bytes(valid_files())
    files["media/sub/diagram.svg"] = b"<svg></svg>"
    files["02-crlf.md"] = b"---\r\ntitle: CRLF\r\n---\r\nText\r\n"

    write_course_folder(tmp_path / SLUG, files)

    assert read_course_folder(tmp_path / SLUG) == files


def test_read_skips_dotfiles_and_dot_folders(tmp_path):
    folder = tmp_path / SLUG
    write_course_folder(folder, as_bytes(valid_files()))
    (folder / ".DS_Store").write_bytes(b"junk")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_bytes(b"ref")
    (folder / "media" / ".hidden.png").write_bytes(b"x")

    assert set(read_course_folder(folder)) == set(valid_files())


def test_write_removes_files_that_are_no_longer_part_of_the_course(tmp_path):
    folder = tmp_path / SLUG
    files = as_bytes(valid_files())
    write_course_folder(folder, {**files, "02-old.md": b"old", "media/old/x.png": b"x"})
    (folder / ".keep").write_bytes(b"")

    write_course_folder(folder, files)

    assert read_course_folder(folder) == files
    assert not (folder / "media" / "old").exists()
    assert (folder / ".keep").exists()


@pytest.mark.parametrize("bad", ["../escape.md", "/abs.md", "media/../../x", "a\\b.md", ""])
def test_write_refuses_paths_that_leave_the_folder(tmp_path, bad):
    with pytest.raises(ValueError):
        write_course_folder(tmp_path / SLUG, {bad: b"x"})

    assert not (tmp_path / "escape.md").exists()


def test_parsing_a_folder_equals_parsing_its_files(tmp_path, provider):
    folder = tmp_path / SLUG
    write_course_folder(folder, as_bytes(valid_files()))

    from_disk, disk_diags = parse_course(
        SLUG, read_course_folder(folder), provider=provider, today=TODAY
    )
    from_dict, dict_diags = parse_course(SLUG, valid_files(), provider=provider, today=TODAY)

    assert disk_diags == dict_diags == []
    assert from_disk == from_dict


def test_content_hash_is_stable_for_the_same_files(parse):
    first, _ = parse(valid_files())
    second, _ = parse(dict(reversed(list(valid_files().items()))))

    assert first.content_hash == second.content_hash
    assert first.content_hash == compute_content_hash(first.files)
    assert len(first.content_hash) == 64


@pytest.mark.parametrize("name", ["course.md", "quiz.md", "01-introduction.md", "media/figure.png"])
def test_content_hash_changes_when_any_byte_changes(parse, name):
    original, _ = parse(valid_files())
    files = as_bytes(valid_files())
    files[name] = files[name] + b" "

    changed, _ = parse(files)

    assert changed is not None
    assert changed.content_hash != original.content_hash


def test_content_hash_covers_names_and_is_unambiguous():
    assert compute_content_hash({"ab": b"c"}) != compute_content_hash({"a": b"bc"})
    assert compute_content_hash({"a": b"x", "b": b""}) != compute_content_hash({"a": b"x"})
    assert compute_content_hash({"media/a.png": b"1"}) != compute_content_hash(
        {"media/b.png": b"1"}
    )


def make_tree(root: Path) -> None:
    (root / "provider.yml").write_text(PROVIDER_YML, encoding="utf-8")
    write_course_folder(root / "good-course", as_bytes(valid_files()))
    broken = as_bytes(valid_files())
    del broken["quiz.md"]
    write_course_folder(root / "broken-course", broken)
    (root / ".hidden").mkdir()
    (root / "README.md").write_text("not a course", encoding="utf-8")


def test_load_courses_returns_the_provider_and_each_course_with_its_diagnostics(tmp_path):
    make_tree(tmp_path)

    provider, results, provider_diags = load_courses(tmp_path, media_prefix=lambda s: f"/m/{s}/")

    assert provider is not None and provider_diags == []
    assert [slug for slug, _course, _diags in results] == ["broken-course", "good-course"]
    broken_slug, broken_course, broken_diags = results[0]
    assert broken_course is None
    assert ("broken-course/quiz.md", 1, "error", "Q001") in {
        (d.path, d.line, d.severity, d.code) for d in broken_diags
    }
    _slug, good, good_diags = results[1]
    assert good is not None, good_diags
    assert 'src="/m/good-course/figure.png"' in good.overview_html


def test_load_courses_without_provider_reports_it_and_still_loads_courses(tmp_path):
    write_course_folder(tmp_path / "good-course", as_bytes(valid_files()))

    provider, results, provider_diags = load_courses(tmp_path)

    assert provider is None
    assert [(d.path, d.line, d.code) for d in provider_diags] == [("provider.yml", 1, "P001")]
    assert [slug for slug, _course, _diags in results] == ["good-course"]


def test_broken_provider_does_not_hide_a_course_naming_an_unknown_accreditation(tmp_path):
    (tmp_path / "provider.yml").write_text(
        PROVIDER_YML.replace("address: 1 Example Street, Portland, OR 97201\n", ""),
        encoding="utf-8",
    )
    files = valid_files()
    files["course.md"] = files["course.md"].replace("[apa, ace]", "[apa, ace, nbcc]")
    write_course_folder(tmp_path / SLUG, as_bytes(files))

    provider, results, provider_diags = load_courses(tmp_path)

    assert provider is None
    assert [(d.path, d.code) for d in provider_diags] == [("provider.yml", "F007")]
    [(_slug, course, diags)] = results
    assert course is None
    assert [(d.path, d.line, d.code) for d in diags] == [(f"{SLUG}/course.md", 8, "C006")]
    assert 'unknown accreditation "nbcc"' in diags[0].message


def test_load_courses_of_a_missing_root_returns_diagnostics(tmp_path):
    provider, results, provider_diags = load_courses(tmp_path / "nowhere")

    assert provider is None and results == []
    assert [d.code for d in provider_diags] == ["P001"]


def test_real_courses_folder_loads_and_its_provider_is_clean_but_a_specimen():
    # The shipped courses are still being written; only the provider is asserted to be clean.
    provider, results, provider_diags = load_courses(REAL_COURSES)

    assert [(d.severity, d.code) for d in provider_diags] == [("warning", "P009")]
    assert provider is not None and provider.specimen
    for slug, _course, diags in results:
        assert all(d.path.startswith(f"{slug}/") for d in diags)
        assert "F999" not in {d.code for d in diags}
