"""`khuyenhoc print preview` and `--pages`: a page of a printed PDF as a PNG, or only some pages."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from app.cli import main

YEAR = 2025
MODEL = "learning_family"


@pytest.fixture(scope="module")
def commune(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.core.demo import generate_demo

    folder = tmp_path_factory.mktemp("preview-demo")
    generate_demo(folder, households=40, seed=11, lock=False)
    return folder


@pytest.fixture()
def data_dir(commune: Path, tmp_path: Path) -> str:
    target = tmp_path / "data"
    shutil.copytree(commune, target, ignore=shutil.ignore_patterns("*.lock"))
    return str(target)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object] | str]:
    code = main(list(args))
    captured = capsys.readouterr()
    if code == 0 and "--json" in args:
        return code, json.loads(captured.out)
    return code, captured.out + captured.err


def _certificates(data_dir: str, out: Path, *extra: str) -> list[str]:
    return [
        "--data-dir",
        data_dir,
        "--json",
        "print",
        "certificates",
        "--year",
        str(YEAR),
        "--model",
        MODEL,
        "--out",
        str(out),
        *extra,
    ]


def _texts(path: Path) -> list[str]:
    return [unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(path).pages]


def test_preview_writes_one_page_as_png_and_reports_it_in_json(
    data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "giấy công nhận.pdf"
    code, printed = _run(capsys, *_certificates(data_dir, pdf))
    assert code == 0 and isinstance(printed, dict)
    png = tmp_path / "trang-2.png"

    code, shown = _run(
        capsys,
        "--json",
        "print",
        "preview",
        str(pdf),
        "--page",
        "2",
        "--dpi",
        "50",
        "--out",
        str(png),
    )

    assert code == 0
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert shown == {
            "path": str(png),
            "source": str(pdf),
            "page": 2,
            "pages": printed["pages"],
            "width": image.width,
            "height": image.height,
            "dpi": 50,
        }
        assert image.width > image.height  # certificates are A4 landscape
        assert image.width == pytest.approx(297 / 25.4 * 50, abs=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--page", "99"], "vượt quá số trang"),
        (["--page", "0"], "Số trang bắt đầu từ 1."),
        (["--dpi", "5000"], "--dpi phải trong khoảng 10–600."),
    ],
)
def test_preview_refuses_a_page_or_resolution_that_makes_no_sense(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "một-trang.pdf"
    c = canvas.Canvas(str(pdf))
    c.showPage()
    c.save()
    png = tmp_path / "trang.png"
    code, said = _run(capsys, "print", "preview", str(pdf), "--out", str(png), *args)
    assert code == 2
    assert message in str(said)
    assert not png.exists()


def test_preview_of_a_file_that_is_not_a_pdf_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "danh-sach.pdf"
    fake.write_text("Nguyễn Văn An", encoding="utf-8")
    code, said = _run(capsys, "print", "preview", str(fake), "--out", str(tmp_path / "x.png"))
    assert code == 2
    assert "Không đọc được tệp PDF “danh-sach.pdf”" in str(said)


def test_pages_keeps_only_those_certificates_in_order(
    data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole, part = tmp_path / "tat-ca.pdf", tmp_path / "mot-phan.pdf"
    _run(capsys, *_certificates(data_dir, whole))
    code, printed = _run(capsys, *_certificates(data_dir, part, "--pages", "4-5, 2"))

    assert code == 0 and isinstance(printed, dict)
    all_pages = _texts(whole)
    assert printed["pages"] == 3
    assert printed["items"] == len(all_pages)  # the decision's recipients, as without --pages
    assert printed["selected"] == "2, 4-5"
    assert _texts(part) == [all_pages[1], all_pages[3], all_pages[4]]
    assert not list(tmp_path.glob("*.partial"))


def test_pages_works_for_lists_and_decisions(
    data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hv.pdf"
    base = ["--data-dir", data_dir, "--json", "print"]
    code, printed = _run(capsys, *base, "list", "members", "--out", str(out), "--pages", "1")
    assert code == 0 and isinstance(printed, dict) and printed["pages"] == 1
    assert "DANH SÁCH HỘI VIÊN" in _texts(out)[0].upper()

    decision = tmp_path / "qd.pdf"
    year = ["--year", str(YEAR), "--model", MODEL]
    code, printed = _run(capsys, *base, "decision", *year, "--out", str(decision), "--pages", "1")
    assert code == 0 and isinstance(printed, dict) and printed["pages"] == 1
    assert "QUYẾT ĐỊNH" in _texts(decision)[0]


@pytest.mark.parametrize(
    ("out", "pages", "message"),
    [
        ("qd.docx", "1", "--pages chỉ dùng khi in ra tệp PDF."),
        ("qd.pdf", "99", "Trang 99 vượt quá số trang"),
        ("qd.pdf", "2-1", "bị ngược"),
    ],
)
def test_a_bad_page_range_writes_nothing(
    data_dir: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    out: str,
    pages: str,
    message: str,
) -> None:
    target = tmp_path / out
    args = ["--data-dir", data_dir, "print", "decision", "--year", str(YEAR), "--model", MODEL]
    code, said = _run(capsys, *args, "--out", str(target), "--pages", pages)
    assert code == 2
    assert message in str(said)
    assert list(tmp_path.iterdir()) == [Path(data_dir)]


def test_an_unknown_list_kind_is_refused(data_dir: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, said = _run(capsys, "--data-dir", data_dir, "print", "list", "khach", "--out", "x.pdf")
    assert code == 2
    assert "Loại danh sách “khach” không có" in str(said)
