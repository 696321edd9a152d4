"""Scenario: open the example or your own files, edit the tables, choose a what-if, download."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from engine.api import TABLE_NAMES, ScenarioError
from ui import formats, loading, state, widgets
from ui.state import Workspace

SHOWN_CHANGES = 8
HIGHLIGHT = "background-color: #fff3b0; font-weight: 600"
TABLE_HELP = {
    "skus": "What you sell: price, size, demand, service level, critical or not.",
    "suppliers": "Who makes it: country, port, capacity, lead time, quality, payment terms.",
    "offers": "Who can make what: MOQ, order multiple, tooling.",
    "price_breaks": "Price tiers of each offer.",
    "lanes": "How it ships from each port: mode, freight rates, transit days.",
    "duties": "Duty and extra tariff by SKU and origin country.",
    "calendars": "Shutdowns, e.g. Chinese New Year.",
    "demand": "An explicit demand series per SKU and period (optional).",
    "in_transit": "Goods already on the way.",
}


def open_example() -> None:
    name = st.session_state[state.W_EXAMPLE]
    try:
        state.set_workspace(loading.open_example(name))
        state.set_upload_problems([])
    except ScenarioError as error:
        state.set_upload_problems(list(error.problems))


def open_upload() -> None:
    files = st.session_state.get(state.W_UPLOAD) or []
    try:
        loaded = loading.read_upload((f.name, f.getvalue()) for f in files)
    except ScenarioError as error:
        state.set_upload_problems(list(error.problems))
        return
    unused = [w for w in loaded.warnings if w.found.startswith(loading.UNUSED)]
    unused_names = {w.source for w in unused}
    names = ", ".join(f.name for f in files if f.name not in unused_names)
    state.set_workspace(loading.open_scenario(loaded.scenario, f"upload {names}"))
    state.set_upload_problems(unused)


def choose_whatif() -> None:
    space = state.workspace()
    if space is not None:
        space.whatif = st.session_state[state.W_WHATIF] or None
        loading.check(space)


def opening() -> None:
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.markdown("**Open a bundled example**")
        names = loading.examples()
        st.selectbox(
            "Example",
            names,
            index=names.index("dtc-brand") if "dtc-brand" in names else 0,
            key=state.W_EXAMPLE,
        )
        st.button("Open example", key=state.W_OPEN_EXAMPLE, type="primary", on_click=open_example)
    with right, st.container(border=True):
        st.markdown("**Or open your own**")
        files = st.file_uploader(
            "An Excel workbook (.xlsx), a .zip of scenario.yaml and its CSV files, or those "
            "files themselves",
            accept_multiple_files=True,
            key=state.W_UPLOAD,
        )
        st.button("Open upload", key=state.W_OPEN_UPLOAD, disabled=not files, on_click=open_upload)
    problems = state.upload_problems()
    errors = loading.errors_in(problems)
    if errors:
        st.error(
            f"That could not be opened: {len(errors)} problem(s), listed below with the file, "
            "row and field each is about. Fix them and upload again."
        )
    elif problems:
        st.warning(
            f"{len(problems)} uploaded file(s) not used: "
            + ", ".join(p.source for p in problems)
            + ". The scenario was opened from the others."
        )
    if problems:
        widgets.problems_table(problems, key="upload.problems")


def overview(space: Workspace) -> None:
    current = space.loaded.scenario if space.loaded else space.base
    if current is None:
        st.subheader("Scenario (with errors)")
    else:
        st.subheader(f"{current.name}")
        if current.description:
            st.caption(current.description)
        cols = st.columns(5)
        cols[0].metric("SKUs", len(current.skus))
        cols[1].metric("Suppliers", len(current.suppliers))
        cols[2].metric("Offers", len(current.offers))
        cols[3].metric("Lanes", len(current.lanes))
        cols[4].metric(
            "Horizon",
            f"{current.horizon.periods} × {current.horizon.period_length_days} d",
            help=f"from {current.horizon.start_date} to {current.horizon.end_date}",
        )
    st.caption(f"Opened from {space.source}.")
    errors = loading.errors_in(space.problems)
    warnings = len(space.problems) - len(errors)
    if errors:
        st.error(
            f"{len(errors)} error(s): the scenario cannot be used until they are fixed. Each is "
            "shown under its table (row 2 is the first row of a table)."
        )
    elif space.loaded is not None:
        st.success(
            "Checked: no errors"
            + (f", {warnings} warning(s) (under their tables)." if warnings else ".")
        )


def whatif_controls(space: Workspace) -> str:
    options = loading.whatifs(space.base) if space.base is not None else {}
    st.markdown("**What-if** (named scenarios and overrides from the scenario's settings)")
    keys = ["", *options]
    st.session_state[state.W_WHATIF] = space.whatif if space.whatif in options else ""
    st.selectbox(
        "What-if to apply",
        keys,
        format_func=lambda k: "none (the scenario as written)" if not k else f"{k}: {options[k]}",
        key=state.W_WHATIF,
        on_change=choose_whatif,
        disabled=space.base is None,
    )
    text = st.text_area(
        "Your own changes, one per line (applied last)",
        value=space.set_values,
        key=state.set_values_key(space.version),
        placeholder="suppliers.GZ-01.capacity_units_per_week = 0\n"
        "risk_policy.fixed_splits.SKL-10IN = {GZ-01: 0.7, HCM-01: 0.3}",
        height=90,
    )
    if space.loaded is not None and space.loaded.changes:
        changes = [loading.change_words(c) for c in space.loaded.changes]
        st.markdown(
            f"**What the what-if changes** ({len(changes)}; the tables below show them "
            "highlighted):\n" + "\n".join(f"- {c}" for c in changes[:SHOWN_CHANGES])
        )
        if len(changes) > SHOWN_CHANGES:
            with st.expander(f"The other {len(changes) - SHOWN_CHANGES} changes"):
                st.markdown("\n".join(f"- {c}" for c in changes[SHOWN_CHANGES:]))
    return text


def with_whatif_table(space: Workspace, name: str) -> None:
    """The table as the what-if leaves it, its changed cells highlighted (nothing when the
    what-if does not touch it)."""
    if space.loaded is None or not space.loaded.changes or space.base is None:
        return
    before = loading.tables_of(space.base).get(name)
    after = loading.tables_of(space.loaded.scenario).get(name)
    if before is None or after is None:
        return
    changed = loading.changed_cells(before, after)
    if not changed.to_numpy().any():
        return
    st.markdown(
        f"**With the what-if** ({int(changed.to_numpy().sum())} cell(s) changed, highlighted); "
        "the editor below holds the scenario as written."
    )
    styles = changed.replace({True: HIGHLIGHT, False: ""})
    st.dataframe(
        after.style.apply(lambda _: styles, axis=None),
        hide_index=True,
        key=f"scenario.whatif.{name}",
        column_config=percent_columns(after),
    )


def percent_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Rates and shares shown as % (3.4 %, not 0.034); the value kept is the fraction."""
    return {
        str(c): st.column_config.NumberColumn(format="percent")
        for c in frame.columns
        if formats.kind_of(str(c)) is formats.Kind.PCT and pd.api.types.is_numeric_dtype(frame[c])
    }


def table_editors(space: Workspace) -> tuple[dict[str, pd.DataFrame], str]:
    by_table: dict[str, list] = {name: [] for name in TABLE_NAMES}
    other: list = []
    for problem in space.problems:
        table = loading.table_of_problem(problem)
        (by_table[table] if table else other).append(problem)
    if other:
        st.markdown("**Problems in the settings, the what-if or your changes**")
        widgets.problems_table(other, key="scenario.problems.other")
    labels = [f"{name} ⚠ {len(by_table[name])}" if by_table[name] else name for name in TABLE_NAMES]
    tabs = st.tabs([*labels, "settings"])
    edited: dict[str, pd.DataFrame] = {}
    for tab, name in zip(tabs, TABLE_NAMES, strict=False):
        with tab:
            st.caption(TABLE_HELP.get(name, ""))
            with_whatif_table(space, name)
            edited[name] = st.data_editor(
                space.tables[name],
                num_rows="dynamic",
                hide_index=True,
                key=state.editor_key(name, space.version),
                column_config=percent_columns(space.tables[name]),
            )
            if by_table[name]:
                widgets.problems_table(by_table[name], key=f"scenario.problems.{name}")
    with tabs[-1]:
        st.caption(
            "The settings as YAML: horizon, finance, fulfilment, risk policy, disruptions, "
            "overrides and named scenarios."
        )
        settings = st.text_area(
            "scenario.yaml",
            value=space.settings_yaml,
            height=420,
            key=state.settings_key(space.version),
        )
    return edited, settings


def downloads(space: Workspace) -> None:
    cols = st.columns(3)
    if space.base is not None:
        cols[0].download_button(
            "Download scenario (.xlsx)",
            partial(loading.scenario_xlsx, space.base),
            file_name=f"{space.base.name}.xlsx",
            key="scenario.download.xlsx",
            on_click="ignore",
        )
    cols[1].download_button(
        "Download as YAML + CSV (.zip)",
        partial(loading.folder_zip, space.folder),
        file_name=f"{space.base.name if space.base else 'scenario'}.zip",
        key="scenario.download.zip",
        on_click="ignore",
    )
    if space.loaded is not None and (space.whatif or space.set_values.strip()):
        cols[2].download_button(
            "Download with the what-if applied (.xlsx)",
            partial(loading.scenario_xlsx, space.loaded.scenario),
            file_name=f"{space.loaded.scenario.name}-{space.whatif or 'edited'}.xlsx",
            key="scenario.download.whatif",
            on_click="ignore",
        )


def differs(edited: dict[str, pd.DataFrame], space: Workspace, settings: str) -> bool:
    if settings != space.settings_yaml:
        return True
    return any(not edited[name].equals(space.tables[name]) for name in edited)


st.title("Scenario")
st.caption(
    "Your sourcing world: what you sell, who makes it, how it ships and what it costs. Open the "
    "bundled example or your own files, edit the tables in place, try a what-if."
)
opening()
space = state.workspace()
if space is None:
    st.stop()
st.divider()
overview(space)
apply = st.button("Check and apply changes", key=state.W_APPLY, type="primary")
set_values = whatif_controls(space)
edited, settings = table_editors(space)
if apply:
    space.tables = {name: frame.reset_index(drop=True) for name, frame in edited.items()}
    space.settings_yaml = settings
    space.set_values = set_values
    space.version += 1
    loading.check(space)
    st.rerun()
if differs(edited, space, settings) or set_values != space.set_values:
    st.warning("You have changes that are not checked yet: press 'Check and apply changes'.")
downloads(space)
