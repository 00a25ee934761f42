"""The ``presets``, ``experts`` and ``report`` commands of ``siei-xl``.

Examples::

    siei-xl presets
    siei-xl presets monetary
    siei-xl experts poll.csv --scale 1-10 -o summary.csv
    siei-xl report macro_long.csv --flows trade.csv --group EAEU --groups groups.csv \\
        --years 2010-2020 -o eaeu_report --lang ru
"""

from __future__ import annotations

import argparse

from siei_xl import presets
from siei_xl._defaults import DDOF, STANDARDIZE, STANDARDIZE_METHODS
from siei_xl.cli_common import add_output_options, write_table

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``presets``, ``experts`` and ``report`` subcommands to ``siei-xl``."""
    pre = subparsers.add_parser(
        "presets",
        help="list the SIEI indices (presets) or show one",
        description="The SIEI indices shipped with siei_xl: block, series, direction, notes.",
    )
    pre.add_argument("name", nargs="?", help="show this preset in full")
    pre.add_argument("--presets", metavar="FILE", help="a TOML file laid over the shipped presets")
    pre.set_defaults(run=_run_presets)
    register_experts(subparsers)
    register_report(subparsers)


def _run_presets(args: argparse.Namespace) -> None:
    book = presets.load(args.presets)
    if args.name is None:
        width = max(len(n) for n in book)
        for name, p in book.items():
            print(f"{name:<{width}}  {p.block:<11}  {p.title}: {p.describe()}")
        return
    p = presets.get(args.name, book)
    print(f"{p.name}: {p.title} ({p.title_ru})" if p.title_ru else f"{p.name}: {p.title}")
    print(f"  block      {p.block}")
    meaning = "closer" if p.block == "convergence" else "more integrated"
    print(f"  direction  {p.direction} = {meaning}")
    if p.block == "market":
        print(f"  flow       {p.flow} ({p.flow_unit})")
        print(f"  base       {p.base} ({p.base_unit}), times {p.base_scale:g} to flow units")
    for ind in p.indicators:
        extra = "".join(
            [
                f", else {', '.join(ind.fallback)}" if ind.fallback else "",
                f", {ind.transform}" if ind.transform else "",
            ]
        )
        print(f"  indicator  {ind.label}: {ind.code}{extra}")
    if p.note:
        print(f"  note       {p.note}")


def register_experts(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    exp = subparsers.add_parser(
        "experts",
        help="summarise an expert poll (institutional block): scores and Kendall's W",
        description=(
            "Read a poll (expert, grouping, criterion, year, score) and print, per grouping, "
            "criterion and year, the mean, median, sd, min, max and number of experts, with "
            "Kendall's W of the criterion (the experts' agreement on how the groupings rank) "
            "and its chi-square p-value."
        ),
    )
    exp.add_argument("file", help="CSV, or XLSX with an Experts sheet")
    exp.add_argument("--scale", default="1-10", help="lowest-highest score (default %(default)s)")
    add_output_options(exp)
    exp.set_defaults(run=_run_experts)


def _run_experts(args: argparse.Namespace) -> None:
    from siei_xl import experts

    scores = experts.read_experts(args.file, scale=args.scale)
    summary = experts.expert_summary(scores)
    low, high = scores.scale
    if args.output:
        out = write_table(summary, args.output, args, index=False)
        print(
            f"wrote {out}: {len(summary)} rows (grouping x criterion x year), "
            f"scale {low:g}-{high:g}"
        )
        return
    n = scores.frame["expert"].nunique()
    print(f"{args.file}: {len(scores.frame)} scores by {n} experts, scale {low:g}-{high:g}")
    print(
        summary.drop(columns=["scale_min", "scale_max"]).to_string(
            index=False, float_format=lambda v: f"{v:.3f}", na_rep="n/a"
        )
    )
    print("agreement (Kendall's W over the groupings, per criterion and year):")
    agree = experts.agreement(scores)
    print(agree.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="n/a"))


def register_report(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rep = subparsers.add_parser(
        "report",
        help="the whole SIEI for a group: workbook, HTML and PDF report in one folder",
        description=(
            "Compute every SIEI block the inputs allow for a group and a span of years "
            "(convergence presets from DATA, market presets from --flows, the institutional "
            "block from --experts), with the consolidated indices, sigma and beta "
            "convergence, and write report.xlsx, report.html and report.pdf into FOLDER. "
            "Blocks without data are listed, never invented."
        ),
    )
    rep.add_argument("data", help="CSV or XLSX panel with indicators named by WDI code")
    rep.add_argument(
        "--flows",
        action="append",
        metavar="[TYPE=]FILE",
        help="bilateral flows (reporter, partner, year, value; exports and imports rows are "
        "added up); TYPE is trade (default), migration, electricity, agriculture, education "
        "or investment; repeat for several",
    )
    rep.add_argument("--experts", metavar="FILE", help="expert poll (see `siei-xl experts`)")
    rep.add_argument("--scale", default="1-10", help="scale of the expert scores (%(default)s)")
    rep.add_argument("--group", required=True, help="a group name (with --groups) or countries")
    rep.add_argument(
        "--groups", metavar="FILE", help="CSV of named groups: group,country[,from,to]"
    )
    rep.add_argument("--years", required=True, help="the span, e.g. 2010-2020")
    rep.add_argument("-o", "--output", required=True, metavar="FOLDER", help="folder to write")
    rep.add_argument("--lang", default="en", choices=("en", "ru"), help="language (default en)")
    rep.add_argument(
        "--preset",
        metavar="NAME[,NAME]",
        help="compute only these presets (default all; see `siei-xl presets`)",
    )
    rep.add_argument("--presets", metavar="FILE", help="a TOML file laid over the shipped presets")
    rep.add_argument("--standardize", default=STANDARDIZE, choices=STANDARDIZE_METHODS)
    rep.add_argument("--ddof", type=int, default=DDOF, choices=(0, 1))
    rep.add_argument("--force", action="store_true", help="replace a non-empty FOLDER")
    rep.add_argument("--quiet", action="store_true", help="print only errors")
    # -o names a folder, which the report checks itself (empty, or --force)
    rep.set_defaults(run=_run_report, outputs=())


def _run_report(args: argparse.Namespace) -> None:
    import sys
    import time

    from siei_xl.labels import split_list
    from siei_xl.report.run import build_report, parse_flows

    start = time.perf_counter()
    count = 0

    def step(message: str) -> None:
        nonlocal count
        count += 1
        if not args.quiet:
            print(f"[{time.perf_counter() - start:5.1f}s] {message}", file=sys.stderr, flush=True)

    out = build_report(
        args.data,
        args.output,
        group=args.group,
        years=args.years,
        groups_path=args.groups,
        flows=parse_flows(args.flows),
        experts_path=args.experts,
        scale=args.scale,
        lang=args.lang,
        presets_path=args.presets,
        only=split_list(args.preset) if args.preset else None,
        standardize=args.standardize,
        ddof=args.ddof,
        force=args.force,
        step=step,
    )
    if args.quiet:
        return
    data = out.data
    print(
        f"wrote {out.folder}/: {', '.join(f.name for f in out.files)} "
        f"({len(data.blocks)} blocks: {', '.join(data.blocks)}; "
        f"{data.years[0]}-{data.years[-1]}; {time.perf_counter() - start:.1f} s)"
    )
    for name, why in data.missing.items():
        print(f"  not computed: {name}: {why}")
