"""CLI for the yearly cycle: criteria sets, register / assess / recognise, targets report.

Commands (``khuyenhoc …``): ``criteria list|validate|import|choose``,
``cycle register|assess|propose|withdraw|proposals|recognise|close|reopen|due|list|figures``,
``report targets --year Y [--json] [--per-hamlet]``, ``targets profiles|choose``
(``report period`` is handled in app/cli_print.py).
Module-level imports stay light; the core is imported inside the handlers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from app.cli import AddCommand, _emit, _open
from app.core.dates import parse_day

MODEL_CHOICES = (
    "learning_family",
    "learning_clan",
    "learning_community",
    "learning_unit",
    "learning_citizen",
    "commune_learning_community",
)


def _ids(text: str | None) -> list[int]:
    from app.core.errors import ValidationError

    if not text:
        return []
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError as exc:
        raise ValidationError("Danh sách mã phải là các số cách nhau bằng dấu phẩy.") from exc


# --- criteria -----------------------------------------------------------------------


def cmd_criteria(args: argparse.Namespace) -> int:
    action = args.action
    if action == "validate":
        from app.core.assessment.criteria import read_criteria_file

        doc = read_criteria_file(Path(args.file))
        _emit(
            args,
            {
                "ok": True,
                "code": doc.code,
                "version": doc.version,
                "model": doc.model,
                "max": doc.max,
                "items": len(doc.items),
                "needs_checking": doc.needs_checking,
            },
            f"Hợp lệ: {doc.title} (phiên bản {doc.version}, {len(doc.items)} mục, "
            f"tối đa {doc.max:g} điểm).",
        )
        return 0
    from app.core.assessment import sets

    ws = _open(args, lock=action in ("import", "choose"))
    try:
        if action == "list":
            infos = sets.list_sets(ws.db, args.model)
            lines = [
                f"{i.id:>3}  {i.code} v{i.version}  [{i.model}]  {i.title}"
                + _checking_flag(i)
                + (f"  (đã được {i.superseded_by} thay thế)" if i.superseded_by else "")
                + ("  (đã dùng)" if i.locked else "")
                for i in infos
            ]
            _emit(args, {"sets": [i.as_dict() for i in infos]}, "\n".join(lines))
        elif action == "import":
            info = sets.import_set(ws.db, Path(args.file))
            _emit(args, info.as_dict(), f"Đã nạp {info.code} phiên bản {info.version}.")
        elif action == "choose":
            if not args.model or not args.code:
                from app.core.errors import ValidationError

                raise ValidationError("Cần --model và --code.")
            sets.choose_active(ws.db, args.model, args.code)
            _emit(args, {"model": args.model, "code": args.code}, "Đã chọn bộ tiêu chí.")
    finally:
        ws.close()
    return 0


def _checking_flag(info: Any) -> str:
    """A project-built reference set says so; a set with items to check says that."""
    from app.core.assessment.criteria import STATUS_BUILT

    if info.status == STATUS_BUILT:
        return "  (tự xây dựng, tham khảo)"
    return "  (cần đối chiếu)" if info.needs_checking else ""


# --- cycle --------------------------------------------------------------------------


def _assessments_from(path: Path, year: int, model: str) -> list[Any]:
    from app.core.assessment.cycle import AssessmentInput
    from app.core.errors import ValidationError

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(f"Không đọc được tệp đánh giá “{path}”: {exc}") from exc
    items = raw.get("assessments", [raw]) if isinstance(raw, dict) else raw
    out = []
    for entry in items:
        if not isinstance(entry, dict) or "entity_id" not in entry:
            raise ValidationError("Mỗi đánh giá cần “entity_id” và “values”.")
        entity_id = entry["entity_id"]
        if isinstance(entity_id, bool) or not isinstance(entity_id, int | str):
            raise ValidationError(f"“entity_id” phải là số, không phải “{entity_id}”.")
        try:
            entity_id = int(entity_id)
        except ValueError as exc:
            raise ValidationError(f"“entity_id” phải là số, không phải “{entity_id}”.") from exc
        out.append(
            AssessmentInput(
                year=year,
                model=model,
                entity_id=entity_id,
                values=entry.get("values", {}),
                evidence=entry.get("evidence", {}),
                variant=entry.get("variant"),
                assessed_on=parse_day(entry.get("date")),
                assessor=entry.get("assessor"),
                note=entry.get("note"),
            )
        )
    return out


def cmd_cycle(args: argparse.Namespace) -> int:
    from app.core.assessment import cycle
    from app.core.errors import ValidationError

    if args.action in ("propose", "withdraw", "proposals"):
        return _cmd_proposals(args)
    ws = _open(args, lock=args.action not in ("due", "list", "figures"))
    try:
        db, year, model = ws.db, args.year, args.model
        if args.action == "register":
            if args.hamlet is not None:
                ids = cycle.households_of(db, hamlet_id=args.hamlet)
            elif args.clan is not None:
                ids = cycle.households_of(db, clan_id=args.clan)
            elif args.all:
                ids = [r.entity_id for r in cycle.cycle_rows(db, year, model)]
            else:
                ids = _ids(args.ids)
            res = cycle.register(db, year, model, ids)
            _emit(
                args,
                {"added": res.added, "already": res.already},
                f"Đã đăng ký {res.added}; {res.already} đã đăng ký từ trước.",
            )
        elif args.action == "assess":
            if not args.file:
                raise ValidationError("Cần --file với các kết quả đánh giá (JSON).")
            results = []
            inputs = _assessments_from(Path(args.file), year, model)
            for data in inputs:  # every entry checked before the first is written
                cycle.check_assessment_input(data)
            warning = cycle.family_decision_warning(db, year, model)
            if warning and not args.json:
                print(f"Lưu ý: {warning}", file=sys.stderr)
            for data in inputs:
                out = cycle.record_assessment(db, data)
                results.append(
                    {
                        "entity_id": data.entity_id,
                        "total": out.result.total,
                        "passed": out.result.passed,
                        "label": out.result.label,
                        "failures": list(out.result.failures),
                    }
                )
            passed = sum(r["passed"] for r in results)
            _emit(
                args,
                {
                    "assessed": len(results),
                    "passed": passed,
                    "results": results,
                    "warning": warning or "",
                },
                f"Đã ghi {len(results)} đánh giá; {passed} đạt.",
            )
        elif args.action == "recognise":
            decision_date = parse_day(args.date) or dt.date.today()
            decision = cycle.recognise(
                db,
                cycle.DecisionInput(
                    year=year,
                    model=model,
                    number=args.number or "",
                    decision_date=decision_date,
                    signer_title=args.signer_title or "",
                    signer_name=args.signer_name or "",
                    issuer=args.issuer or "",
                ),
                _ids(args.ids) or None,
                allow_unproposed=args.without_proposal,
            )
            skipped = (
                f" {decision.not_proposed} đạt nhưng chưa được thôn đề nghị nên chưa công nhận."
                if decision.not_proposed
                else ""
            )
            _emit(
                args,
                {
                    "decision_id": decision.decision_id,
                    "recognised": decision.recognised,
                    "valid_until": decision.valid_until,
                    "not_proposed": decision.not_proposed,
                },
                f"Đã công nhận {decision.recognised} "
                f"(hiệu lực đến hết năm {decision.valid_until}).{skipped}",
            )
        elif args.action == "close":
            st = cycle.close_year(db, year, args.reason or "")
            _emit(
                args,
                {"year": st.year, "closed": st.closed, "log": st.log},
                f"Đã khóa sổ năm {year}.",
            )
        elif args.action == "reopen":
            st = cycle.reopen_year(db, year, args.reason or "")
            _emit(
                args,
                {"year": st.year, "closed": st.closed, "log": st.log},
                f"Đã mở lại năm {year}.",
            )
        elif args.action == "due":
            due = cycle.due_again(db, year, model, args.search)
            _emit(
                args,
                {"due": [d.__dict__ for d in due]},
                "\n".join(f"{d.entity_id:>6}  {d.name}  (hết hạn {d.valid_until})" for d in due)
                or "Không có ai đến hạn công nhận lại.",
            )
        elif args.action == "figures":
            _emit_commune_figures(args, db, year)
        elif args.action == "list":
            rows = cycle.cycle_rows(db, year, model, args.hamlet, args.search)
            _emit(
                args,
                {"rows": [r.__dict__ for r in rows]},
                "\n".join(
                    f"{r.entity_id:>6}  {r.name:<30} {'ĐK' if r.registered else '  '} "
                    f"{'' if r.total is None else f'{r.total:g}'} {r.label}"
                    f"{' ✓' if r.recognised else ''}"
                    for r in rows
                ),
            )
    finally:
        ws.close()
    return 0


def _emit_commune_figures(args: argparse.Namespace, db: Any, year: int) -> None:
    """``cycle figures``: what the registries give for the commune's TT 25/2023 evidence."""
    from app.core.assessment import commune_figures as cf
    from app.core.assessment.criteria import FIGURE_NAMES

    figures = cf.commune_figures(db, year)
    lines = {name: figures.lines(name) for name in FIGURE_NAMES}
    _emit(
        args,
        {"year": year, "figures": lines},
        "\n".join(line for name in FIGURE_NAMES for line in lines[name]),
    )


def _cmd_proposals(args: argparse.Namespace) -> int:
    """``cycle propose|withdraw|proposals``: the hamlet's proposal to the commune."""
    from app.core.assessment import proposals
    from app.core.errors import ValidationError

    ws = _open(args, lock=args.action != "proposals")
    try:
        db, year, model = ws.db, args.year, args.model
        if args.action == "propose":
            if args.hamlet is None:
                raise ValidationError("Cần --hamlet (mã thôn đề nghị).")
            ids = None if args.all_passed else _ids(args.ids)
            if ids == []:
                raise ValidationError("Cần --ids hoặc --all-passed.")
            res = proposals.propose(
                db,
                year,
                model,
                args.hamlet,
                ids,
                proposed_by=args.proposed_by or "",
                number=args.number or "",
                on=parse_day(args.date),
            )
            _emit(
                args,
                {"hamlet": res.hamlet, "proposed": res.proposed, "already": res.already},
                f"{res.hamlet}: đã đề nghị {res.proposed}; {res.already} đã đề nghị từ trước.",
            )
        elif args.action == "withdraw":
            n = proposals.withdraw(db, year, model, _ids(args.ids))
            _emit(args, {"withdrawn": n}, f"Đã rút đề nghị {n}.")
        elif args.out:
            from app.core.assessment.proposal_print import print_proposal_list

            if args.hamlet is None:
                raise ValidationError("In danh sách đề nghị cần --hamlet (mã thôn).")
            res = print_proposal_list(db, Path(args.out), year, model, args.hamlet)
            _emit(
                args,
                {"path": str(res.path), "pages": res.pages, "items": res.items},
                res.describe(),
            )
        else:
            rows = proposals.proposals(db, year, model, args.hamlet)
            _emit(
                args,
                {"proposals": [_proposal_dict(r) for r in rows]},
                "\n".join(
                    f"{r.entity_id:>6}  {r.name:<30} {r.hamlet:<16} {r.total:g} {r.label}"
                    f"  ĐN {r.number or '—'} {r.proposed_on:%d/%m/%Y}"
                    f"{' ✓' if r.recognised else ''}"
                    for r in rows
                )
                or "Chưa có đề nghị nào.",
            )
    finally:
        ws.close()
    return 0


def _proposal_dict(row: Any) -> dict[str, Any]:
    data = dict(row.__dict__)
    data["proposed_on"] = row.proposed_on.isoformat()
    return data


# --- targets ------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from app.core.assessment import targets
    from app.core.errors import ValidationError

    if args.kind == "period":
        from app.cli_print import cmd_report_period

        return cmd_report_period(args)
    if args.year is None:
        raise ValidationError("Thiếu --year.")
    ws = _open(args)
    try:
        rep = targets.target_report(ws.db, args.year, args.profile)
    finally:
        ws.close()
    lines = [f"Năm {rep.year} — chỉ tiêu: {rep.profile.title}"]
    if rep.no_target:
        lines.append(rep.no_target)
    staff = [rep.citizen_staff] if rep.citizen_staff is not None else []
    for f in [*rep.models.values(), *staff]:
        rate = "—" if f.rate is None else f"{f.rate:.1%}"
        target = "—" if f.target is None else f"{f.target:.0%}"
        lines.append(
            f"{f.title:<30} ĐK {f.registered:>6}  ĐG {f.assessed:>6}  CN {f.recognised:>6} / "
            f"{f.denominator} ({f.denominator_label}) = {rate}  chỉ tiêu {target}"
        )
    m = rep.members
    lines.append(
        f"Hội viên / dân số: {m.members}/{m.population}"
        + ("" if m.rate is None else f" = {m.rate:.1%}")
    )
    _emit(args, rep.as_dict(per_hamlet=args.per_hamlet), "\n".join(lines))
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from app.core.assessment import targets

    ws = _open(args, lock=args.action in ("choose", "own"))
    try:
        if args.action == "choose":
            p = targets.choose_profile(ws.db, args.code or "")
            _emit(args, {"code": p.code, "title": p.title}, f"Đã chọn: {p.title}")
        elif args.action == "own":
            p = targets.save_custom_profile(ws.db, args.code or "", _rates(args.set))
            _emit(
                args,
                {"code": p.code, "title": p.title, "targets": p.targets},
                f"Đã lưu và chọn bộ chỉ tiêu riêng: {p.title}",
            )
        else:
            chosen = targets.chosen_profile(ws.db).code
            items = targets.profiles(ws.db)
            _emit(
                args,
                {"chosen": chosen, "profiles": [p.__dict__ for p in items]},
                "\n".join(
                    f"{'*' if p.code == chosen else ' '} {p.code:<20} {p.title}" for p in items
                ),
            )
    finally:
        ws.close()
    return 0


def _rates(pairs: list[str]) -> dict[str, float]:
    from app.core.errors import ValidationError

    out = {}
    for pair in pairs:
        key, _sep, value = pair.partition("=")
        try:
            out[key.strip()] = float(value.replace(",", ".").rstrip("%")) / (
                100 if value.strip().endswith("%") else 1
            )
        except ValueError as exc:
            raise ValidationError(f"“{pair}” phải có dạng mô_hình=0.7 hoặc mô_hình=70%.") from exc
    if not out:
        raise ValidationError("Cần ít nhất một --set mô_hình=tỷ_lệ.")
    return out


def register(add: AddCommand) -> None:
    p = add("criteria", cmd_criteria, "bộ tiêu chí đánh giá (xem, kiểm tra, nạp, chọn)")
    p.add_argument("action", choices=("list", "validate", "import", "choose"))
    p.add_argument("file", nargs="?", default=None, metavar="TỆP")
    p.add_argument("--model", choices=MODEL_CHOICES, default=None)
    p.add_argument("--code", default=None)

    p = add("cycle", cmd_cycle, "chu kỳ năm: đăng ký, đánh giá, công nhận, khóa sổ")
    p.add_argument(
        "action",
        choices=(
            "register",
            "assess",
            "propose",
            "withdraw",
            "proposals",
            "recognise",
            "close",
            "reopen",
            "due",
            "list",
            "figures",
        ),
    )
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--model", choices=MODEL_CHOICES, default="learning_family")
    p.add_argument("--ids", default=None, help="mã cách nhau bằng dấu phẩy")
    p.add_argument("--hamlet", type=int, default=None, help="cả thôn (mã thôn)")
    p.add_argument(
        "--search", default="", help="list, due: tìm theo tên (không cần dấu), như ở sổ đăng ký"
    )
    p.add_argument("--clan", type=int, default=None, help="cả dòng họ (mã dòng họ)")
    p.add_argument("--all", action="store_true", help="tất cả")
    p.add_argument("--file", default=None, help="tệp JSON kết quả đánh giá")
    p.add_argument("--number", default=None, help="số quyết định (propose: số tờ đề nghị)")
    p.add_argument("--date", default=None, help="ngày quyết định / ngày đề nghị dd/mm/yyyy")
    p.add_argument("--all-passed", action="store_true", help="propose: mọi trường hợp đạt của thôn")
    p.add_argument("--proposed-by", default=None, help="propose: người đề nghị (trưởng thôn)")
    p.add_argument("--out", default=None, help="proposals: in danh sách đề nghị ra tệp PDF/XLSX")
    p.add_argument(
        "--without-proposal",
        action="store_true",
        help="recognise: công nhận cả trường hợp thôn chưa đề nghị",
    )
    p.add_argument(
        "--issuer",
        choices=("committee", "association"),
        default=None,
        help="recognise: cơ quan công nhận (mặc định: cơ quan của danh hiệu trong Cài đặt)",
    )
    p.add_argument("--signer-name", default=None)
    p.add_argument("--signer-title", default="Chủ tịch")
    p.add_argument("--reason", default=None)

    p = add("report", cmd_report, "báo cáo (targets: chỉ tiêu theo năm; period: báo cáo định kỳ)")
    p.add_argument("kind", choices=("targets", "period"))
    p.add_argument("--year", type=int, default=None, help="targets: năm")
    p.add_argument("--profile", default=None)
    p.add_argument("--per-hamlet", action="store_true")
    from app.cli_print import add_period_arguments

    add_period_arguments(p)

    p = add("targets", cmd_targets, "bộ chỉ tiêu (xem, chọn)")
    p.add_argument("action", choices=("profiles", "choose", "own"))
    p.add_argument("code", nargs="?", default=None, help="mã bộ chỉ tiêu (own: tên bộ riêng)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="MÔ_HÌNH=TỶ_LỆ",
        help="own: ví dụ --set learning_family=0.75 --set members_share=0.3",
    )
