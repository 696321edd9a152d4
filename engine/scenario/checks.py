"""Cross-table and sanity checks on a scenario whose every row has passed the schema.

The schema (``engine.scenario.schema``) checks one row or one setting at a time; this module
checks what only the whole scenario can tell: duplicate keys, references to things that do not
exist, price lists that leave quantities without a price, demand or deliveries outside the
horizon, a risk policy that cannot add up, MOQs or lead times that rule every offer out, and
(as warnings) numbers that are usable but probably not what the user meant.

Each check is one small function from a ``_Context`` to the problems it finds; ``CHECKS`` lists
them. ``scenario_problems`` runs them all and returns every problem, errors and warnings, in
table order (settings first, then the tables in ``TABLE_NAMES`` order, each by row).

Message format: every ``Problem`` names

* ``source``: the file or sheet, ``sources[table]`` (default ``<table>.csv``; settings default
  ``scenario.yaml``);
* ``row``: the spreadsheet row (``row_numbers[table][index]``, default ``index + 2``), or None
  for settings and whole-table problems;
* ``field``: the column (or dotted settings key) to change; the row's key columns when the row
  as a whole is the problem;
* ``found``: what is there, in the user's words (``SKU A``, ``supplier CN-1``,
  ``1,200 units``, ``5.50 USD``, ``38 days``);
* ``allowed``: what would be accepted, and how to fix it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from itertools import pairwise
from typing import Any

from engine.scenario.errors import Problem, Severity
from engine.scenario.schema import (
    TABLE_KEYS,
    TABLE_NAMES,
    DefectSpike,
    DemandSpike,
    LeadTimeShock,
    PortDelay,
    PriceBreak,
    RecurringOutage,
    Scenario,
    Sku,
    Supplier,
    SupplierShutdown,
    TariffChange,
    mean_lead_time_days,
)

SETTINGS = "settings"
"""Key of the settings file in ``sources``."""

SHARE_TOLERANCE = 1e-6
"""How far shares may be from adding up to 1 (rounding in spreadsheets)."""

_LISTED_CODES = 8  # codes named in an "allowed" list before "and N more"

ERROR = Severity.ERROR
WARNING = Severity.WARNING


# --------------------------------------------------------------------------- formatting


def _num(value: float) -> str:
    """A number as people write it: thousands separated, at most two decimals."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _units(value: float) -> str:
    return f"{_num(value)} units"


def _days(value: float) -> str:
    return f"{_num(value)} days"


def _share(value: float) -> str:
    """A share as the user typed it (0.7), without float noise."""
    return format(value, ".10g")


def _codes(codes: Iterable[str]) -> str:
    """Codes as a short list: 'A, B, C' or 'A, B, ... and 12 more'."""
    listed = list(dict.fromkeys(codes))
    if not listed:
        return "none"
    head = ", ".join(listed[:_LISTED_CODES])
    more = len(listed) - _LISTED_CODES
    return f"{head} and {more} more" if more > 0 else head


def _region(supplier: Supplier) -> str:
    """The region share caps use: the supplier's region, or its country when that is blank."""
    return supplier.region or supplier.country


# --------------------------------------------------------------------------- context


class _Context:
    """The scenario, where its rows came from, and the look-ups the checks share.

    Look-ups keyed by code keep the first row of a code; duplicates are reported by
    ``_duplicate_keys``.
    """

    def __init__(
        self,
        scenario: Scenario,
        sources: Mapping[str, str] | None,
        row_numbers: Mapping[str, Sequence[int]] | None,
    ) -> None:
        self.scenario = scenario
        self.policy = scenario.risk_policy
        self.horizon = scenario.horizon
        self.horizon_days = scenario.horizon.periods * scenario.horizon.period_length_days
        self.currency = scenario.finance.currency
        self._sources = dict(sources or {})
        self._row_numbers = dict(row_numbers or {})
        self.skus: dict[str, Sku] = {}
        for sku in scenario.skus:
            self.skus.setdefault(sku.sku, sku)
        self.suppliers: dict[str, Supplier] = {}
        for supplier in scenario.suppliers:
            self.suppliers.setdefault(supplier.supplier, supplier)
        self.offers: dict[tuple[str, str], int] = {}  # (supplier, sku) -> first offers row
        for index, offer in enumerate(scenario.offers):
            self.offers.setdefault((offer.supplier, offer.sku), index)
        self.offering: dict[str, list[Supplier]] = {code: [] for code in self.skus}
        for supplier_code, sku_code in self.offers:
            if sku_code in self.offering and supplier_code in self.suppliers:
                self.offering[sku_code].append(self.suppliers[supplier_code])
        self.tiers: dict[tuple[str, str], list[int]] = {}  # (supplier, sku) -> rows by min_qty
        for index, tier in enumerate(scenario.price_breaks):
            self.tiers.setdefault((tier.supplier, tier.sku), []).append(index)
        for rows in self.tiers.values():
            rows.sort(key=lambda i: scenario.price_breaks[i].min_qty_units)
        self.lane_ports: list[str] = list(
            dict.fromkeys(lane.origin_port for lane in scenario.lanes)
        )
        self._offering_suppliers = {supplier for supplier, _ in self.offers}

    # ---- where

    def source(self, table: str) -> str:
        """The file or sheet a table (or ``SETTINGS``) came from."""
        if table == SETTINGS:
            return self._sources.get(SETTINGS, "scenario.yaml")
        return self._sources.get(table, f"{table}.csv")

    def row(self, table: str, index: int) -> int:
        """The spreadsheet row of a table's row ``index`` (header is row 1)."""
        numbers = self._row_numbers.get(table)
        if numbers is not None and index < len(numbers):
            return numbers[index]
        return index + 2

    def rows(self, table: str) -> tuple[Any, ...]:
        rows: tuple[Any, ...] = getattr(self.scenario, table)
        return rows

    # ---- problems

    def at(
        self,
        table: str,
        index: int | None,
        field: str | None,
        found: str,
        allowed: str,
        severity: Severity = ERROR,
    ) -> Problem:
        """A problem in one row of a table (``index`` None: the table as a whole)."""
        row = None if index is None else self.row(table, index)
        return Problem(self.source(table), row, field, found, allowed, severity)

    def setting(self, field: str, found: str, allowed: str, severity: Severity = ERROR) -> Problem:
        """A problem in a setting, ``field`` as a dotted key (``risk_policy.fixed_splits.A``)."""
        return Problem(self.source(SETTINGS), None, field, found, allowed, severity)

    # ---- derived numbers

    def known_codes(self, table: str) -> str:
        """'a SKU code from skus.csv: A, B' (table is skus or suppliers)."""
        codes = self.skus if table == "skus" else self.suppliers
        noun = "SKU" if table == "skus" else "supplier"
        return f"a {noun} code from {self.source(table)}: {_codes(codes)}"

    def has_offer(self, supplier: str) -> bool:
        return supplier in self._offering_suppliers

    def capacity_days_lost(self, supplier: str) -> float:
        """Days of the horizon lost to shutdowns: each day counts ``1 - capacity_factor``.

        A day covered by two shutdowns counts once, at the lower factor.
        """
        start, end = self.horizon.start_date, self.horizon.end_date
        factors: dict[dt.date, float] = {}
        for shutdown in self.scenario.calendars:
            if shutdown.supplier != supplier:
                continue
            first, last = max(shutdown.start_date, start), min(shutdown.end_date, end)
            for offset in range((last - first).days + 1):
                day = first + dt.timedelta(days=offset)
                factors[day] = min(factors.get(day, 1.0), shutdown.capacity_factor)
        return sum(1.0 - factor for factor in factors.values())

    def horizon_capacity(self, supplier: Supplier) -> float:
        """Units the supplier can make over the horizon, less its shutdowns."""
        return self._capacities[supplier.supplier]

    @cached_property
    def _capacities(self) -> dict[str, float]:
        return {
            code: supplier.capacity_units_per_week
            * (self.horizon_days - self.capacity_days_lost(code))
            / 7.0
            for code, supplier in self.suppliers.items()
        }

    def horizon_demand(self, sku: str) -> tuple[float, float]:
        """(mean demand over the horizon, units on hand or in transit arriving in it).

        Demand is ``Scenario.demand_series`` summed: demand.csv rows, else the SKU's mean.
        """
        return self._demand[sku]

    @cached_property
    def _demand(self) -> dict[str, tuple[float, float]]:
        periods = self.horizon.periods
        listed: dict[str, dict[int, float]] = {code: {} for code in self.skus}
        for row in self.scenario.demand:
            if row.sku in listed and row.period <= periods:
                listed[row.sku][row.period] = row.mean_units
        stock = {code: sku.opening_stock_units for code, sku in self.skus.items()}
        for lot in self.scenario.in_transit:
            if lot.sku in stock and lot.arrival_period <= periods:
                stock[lot.sku] += lot.quantity_units
        result: dict[str, tuple[float, float]] = {}
        for code, sku in self.skus.items():
            fallback = sku.demand_mean_units_per_period or 0.0
            rows = listed[code]
            demand = sum(rows.values()) + fallback * (periods - len(rows))
            result[code] = (demand, stock[code])
        return result

    @cached_property
    def cheapest_tier(self) -> dict[str, PriceBreak]:
        """SKU -> its cheapest price break over every offer for it."""
        cheapest: dict[str, PriceBreak] = {}
        for key, rows in self.tiers.items():
            if key not in self.offers:
                continue
            for index in rows:
                tier = self.scenario.price_breaks[index]
                if tier.sku not in cheapest or tier.unit_price < cheapest[tier.sku].unit_price:
                    cheapest[tier.sku] = tier
        return cheapest

    def horizon_text(self) -> str:
        return f"{self.horizon.periods} periods of {_days(self.horizon.period_length_days)}"


Check = Callable[[_Context], Iterable[Problem]]


# --------------------------------------------------------------------------- errors: references


_KEY_WORDS: dict[str, Callable[[Any], str]] = {
    "skus": lambda r: f"SKU {r.sku}",
    "suppliers": lambda r: f"supplier {r.supplier}",
    "offers": lambda r: f"the offer of supplier {r.supplier} for SKU {r.sku}",
    "price_breaks": lambda r: (
        f"the tier at {_units(r.min_qty_units)} of supplier {r.supplier}'s offer for SKU {r.sku}"
    ),
    "lanes": lambda r: f"lane {r.lane}",
    "duties": lambda r: (
        f"the duty on {'every SKU (*)' if r.sku == '*' else 'SKU ' + r.sku} from "
        f"{r.origin_country} "
        + (f"effective {r.effective_from}" if r.effective_from else "from the start")
    ),
    "calendars": lambda r: f"the shutdown of supplier {r.supplier} starting {r.start_date}",
    "demand": lambda r: f"demand for SKU {r.sku} in period {r.period}",
    "in_transit": lambda r: (
        f"goods in transit of SKU {r.sku} from supplier {r.supplier} "
        f"arriving in period {r.arrival_period}"
    ),
}


def _duplicate_keys(ctx: _Context) -> Iterator[Problem]:
    """Two rows of a table with the same key (``TABLE_KEYS``), e.g. two rows for SKU A."""
    for table in TABLE_NAMES:
        columns = TABLE_KEYS[table]
        first: dict[tuple[Any, ...], int] = {}
        for index, row in enumerate(ctx.rows(table)):
            key = tuple(getattr(row, column) for column in columns)
            if key not in first:
                first[key] = index
                continue
            yield ctx.at(
                table,
                index,
                ", ".join(columns),
                f"{_KEY_WORDS[table](row)} is listed twice (also row {ctx.row(table, first[key])})",
                f"one row per {' + '.join(columns)}; merge the rows or delete one",
            )


_REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("offers", "supplier", "suppliers"),
    ("offers", "sku", "skus"),
    ("price_breaks", "supplier", "suppliers"),
    ("price_breaks", "sku", "skus"),
    ("duties", "sku", "skus"),
    ("calendars", "supplier", "suppliers"),
    ("demand", "sku", "skus"),
    ("in_transit", "sku", "skus"),
    ("in_transit", "supplier", "suppliers"),
)
"""(table, column, table the column's codes must be in)."""


def _unknown_references(ctx: _Context) -> Iterator[Problem]:
    """A row naming a SKU or supplier that is not in skus.csv / suppliers.csv."""
    for table, column, target in _REFERENCES:
        known = ctx.skus if target == "skus" else ctx.suppliers
        noun = "SKU" if target == "skus" else "supplier"
        wildcard = table == "duties"
        for index, row in enumerate(ctx.rows(table)):
            code = getattr(row, column)
            if code in known or (wildcard and code == "*"):
                continue
            allowed = ctx.known_codes(target)
            if wildcard:
                allowed += ", or * for every SKU"
            yield ctx.at(table, index, column, f"unknown {noun} {code!r}", allowed)


def _price_breaks_without_offer(ctx: _Context) -> Iterator[Problem]:
    """A price for a known supplier and SKU that offers.csv does not pair."""
    for index, tier in enumerate(ctx.scenario.price_breaks):
        if tier.supplier not in ctx.suppliers or tier.sku not in ctx.skus:
            continue  # reported as an unknown reference
        if (tier.supplier, tier.sku) in ctx.offers:
            continue
        yield ctx.at(
            "price_breaks",
            index,
            "supplier, sku",
            f"a price of supplier {tier.supplier} for SKU {tier.sku}, but {ctx.source('offers')} "
            f"has no offer of {tier.supplier} for {tier.sku}",
            f"add the offer to {ctx.source('offers')}, or delete the row",
        )


def _offers_without_price_breaks(ctx: _Context) -> Iterator[Problem]:
    """An offer with no row in price_breaks.csv: it has no price."""
    for (supplier, sku), index in ctx.offers.items():
        if (supplier, sku) in ctx.tiers:
            continue
        yield ctx.at(
            "offers",
            index,
            "supplier, sku",
            f"the offer of supplier {supplier} for SKU {sku} has no price "
            f"(no row in {ctx.source('price_breaks')})",
            f"at least one price break for it in {ctx.source('price_breaks')}, "
            "the first at min_qty_units 0",
        )


def _suppliers_without_lane(ctx: _Context) -> Iterator[Problem]:
    """A supplier whose origin_port no lane starts from (an error if it has offers)."""
    for index, supplier in enumerate(ctx.scenario.suppliers):
        port = supplier.origin_port
        if port in ctx.lane_ports:
            continue
        used = ctx.has_offer(supplier.supplier)
        found = (
            f"supplier with no lane: supplier {supplier.supplier} ships from port {port}, "
            f"but {ctx.source('lanes')} has no lane from {port}"
        )
        if not used:
            found += " (it has no offer, so it is not used)"
        yield ctx.at(
            "suppliers",
            index,
            "origin_port",
            found,
            f"a port that {ctx.source('lanes')} ships from ({_codes(ctx.lane_ports)}), "
            f"or a lane from {port}",
            ERROR if used else WARNING,
        )


def _unknown_disruption_targets(ctx: _Context) -> Iterator[Problem]:
    """A disruption naming a supplier, port or SKU the scenario does not have."""
    for position, event in enumerate(ctx.scenario.disruptions):
        where = f"disruptions.{position}"
        if isinstance(event, SupplierShutdown | LeadTimeShock | DefectSpike | RecurringOutage):
            if event.supplier not in ctx.suppliers:
                yield ctx.setting(
                    f"{where}.supplier",
                    f"{event.kind} of unknown supplier {event.supplier!r}",
                    ctx.known_codes("suppliers"),
                )
        elif isinstance(event, PortDelay):
            if event.origin_port not in ctx.lane_ports:
                yield ctx.setting(
                    f"{where}.origin_port",
                    f"port_delay at port {event.origin_port!r}, which no lane starts from",
                    f"a port that {ctx.source('lanes')} ships from: {_codes(ctx.lane_ports)}",
                )
        elif (
            isinstance(event, DemandSpike | TariffChange)
            and event.sku != "*"
            and event.sku not in ctx.skus
        ):
            yield ctx.setting(
                f"{where}.sku",
                f"{event.kind} for unknown SKU {event.sku!r}",
                ctx.known_codes("skus") + ", or * for every SKU",
            )


def _unknown_risk_policy_names(ctx: _Context) -> Iterator[Problem]:
    """Fixed splits naming unknown SKUs or suppliers; region caps matching no supplier."""
    for sku, split in ctx.policy.fixed_splits.items():
        field = f"risk_policy.fixed_splits.{sku}"
        if sku not in ctx.skus:
            yield ctx.setting(
                field, f"a fixed split for unknown SKU {sku!r}", ctx.known_codes("skus")
            )
        for supplier in split:
            if supplier not in ctx.suppliers:
                yield ctx.setting(
                    f"{field}.{supplier}",
                    f"the fixed split for SKU {sku} names unknown supplier {supplier!r}",
                    ctx.known_codes("suppliers"),
                )
    regions = list(dict.fromkeys(_region(s) for s in ctx.suppliers.values()))
    for region in ctx.policy.max_share_per_region:
        if region not in regions:
            yield ctx.setting(
                f"risk_policy.max_share_per_region.{region}",
                f"a cap for region {region!r}, which no supplier is in",
                "a supplier's region, or its country when region is blank: " + _codes(regions),
            )


# --------------------------------------------------------------------------- errors: values


def _first_tier_above_moq(ctx: _Context) -> Iterator[Problem]:
    """An offer whose first price tier starts above 0 and above its MOQ."""
    for key, rows in ctx.tiers.items():
        if key not in ctx.offers:
            continue
        offer = ctx.scenario.offers[ctx.offers[key]]
        first = ctx.scenario.price_breaks[rows[0]]
        if first.min_qty_units <= max(offer.moq_units, 0.0):
            continue
        found = (
            f"the first tier of supplier {offer.supplier}'s offer for SKU {offer.sku} "
            f"starts at {_units(first.min_qty_units)}"
        )
        if offer.moq_units > 0:
            found += f", above its MOQ of {_units(offer.moq_units)}"
        yield ctx.at(
            "price_breaks",
            rows[0],
            "min_qty_units",
            found,
            "a first tier at 0 units (or at most the MOQ), so every order quantity has a price",
        )


def _demand_beyond_horizon(ctx: _Context) -> Iterator[Problem]:
    """A demand row for a period after the horizon's last."""
    last = ctx.horizon.periods
    for index, row in enumerate(ctx.scenario.demand):
        if row.period > last:
            yield ctx.at(
                "demand",
                index,
                "period",
                f"demand for SKU {row.sku} in period {row.period}, after the horizon's last "
                f"period {last}",
                f"a period from 1 to {last} (horizon.periods), or a longer horizon",
            )


def _skus_without_demand(ctx: _Context) -> Iterator[Problem]:
    """A SKU with neither demand rows nor demand_mean_units_per_period."""
    listed = {row.sku for row in ctx.scenario.demand}
    for index, sku in enumerate(ctx.scenario.skus):
        if sku.sku in listed or sku.demand_mean_units_per_period is not None:
            continue
        yield ctx.at(
            "skus",
            index,
            "demand_mean_units_per_period",
            f"SKU {sku.sku} has no demand: no row in {ctx.source('demand')} and "
            "demand_mean_units_per_period is blank",
            f"a demand_mean_units_per_period (0 if it is not sold), or rows in "
            f"{ctx.source('demand')}",
        )


def _in_transit_beyond_horizon(ctx: _Context) -> Iterator[Problem]:
    """Goods in transit arriving after the horizon's last period."""
    last = ctx.horizon.periods
    for index, lot in enumerate(ctx.scenario.in_transit):
        if lot.arrival_period > last:
            yield ctx.at(
                "in_transit",
                index,
                "arrival_period",
                f"{_units(lot.quantity_units)} of SKU {lot.sku} from supplier {lot.supplier} "
                f"arriving in period {lot.arrival_period}, after the horizon's last period {last}",
                f"an arrival_period from 1 to {last} (horizon.periods); leave out later arrivals",
            )


def _shutdowns_ending_before_start(ctx: _Context) -> Iterator[Problem]:
    """A shutdown whose end_date is before its start_date."""
    for index, shutdown in enumerate(ctx.scenario.calendars):
        if shutdown.end_date < shutdown.start_date:
            yield ctx.at(
                "calendars",
                index,
                "end_date",
                f"the shutdown of supplier {shutdown.supplier} ends {shutdown.end_date}, "
                f"before it starts {shutdown.start_date}",
                "an end_date on or after start_date (the last day of the shutdown, inclusive)",
            )


# --------------------------------------------------------------------------- errors: share policy


def _fixed_split_sums(ctx: _Context) -> Iterator[Problem]:
    """A fixed split whose shares do not add up to 1."""
    for sku, split in ctx.policy.fixed_splits.items():
        total = sum(split.values())
        if abs(total - 1.0) <= SHARE_TOLERANCE:
            continue
        parts = " + ".join(f"{supplier} {_share(share)}" for supplier, share in split.items())
        yield ctx.setting(
            f"risk_policy.fixed_splits.{sku}",
            f"the fixed split for SKU {sku} adds up to {_share(total)} ({parts or 'no supplier'})",
            "shares that add up to 1",
        )


def _fixed_split_without_offer(ctx: _Context) -> Iterator[Problem]:
    """A fixed split giving a share to a supplier with no offer for the SKU."""
    for sku, split in ctx.policy.fixed_splits.items():
        if sku not in ctx.skus:
            continue
        for supplier, share in split.items():
            if supplier not in ctx.suppliers or (supplier, sku) in ctx.offers or share <= 0:
                continue
            offering = _codes(s.supplier for s in ctx.offering[sku])
            yield ctx.setting(
                f"risk_policy.fixed_splits.{sku}.{supplier}",
                f"the fixed split gives supplier {supplier} {_share(share)} of SKU {sku}, but "
                f"{supplier} has no offer for {sku}",
                f"a supplier with an offer for SKU {sku} in {ctx.source('offers')}: {offering}",
            )


def _supplier_share_cap(ctx: _Context) -> Iterator[Problem]:
    """Suppliers with an offer x max_share_per_supplier < 1: the SKU cannot be fully bought."""
    cap = ctx.policy.max_share_per_supplier
    for sku, suppliers in ctx.offering.items():
        count = len(suppliers)
        if count == 0 or count * cap >= 1.0 - SHARE_TOLERANCE:
            continue
        names = _codes(s.supplier for s in suppliers)
        yield ctx.setting(
            "risk_policy.max_share_per_supplier",
            f"SKU {sku} has {count} {'supplier' if count == 1 else 'suppliers'} with an offer "
            f"({names}); at most "
            f"{_share(cap)} each covers only {_share(count * cap)} of its volume",
            f"a max_share_per_supplier of at least {_share(round(1.0 / count, 6))} "
            f"(1 / {count}), or an offer for {sku} from another supplier",
        )


def _share_caps_by_offer(ctx: _Context) -> Iterator[Problem]:
    """max_share_by_supplier(_sku) naming unknown codes, or leaving a SKU's suppliers with an
    offer less than all of its volume (the lowest cap that applies holds)."""
    policy = ctx.policy
    for supplier in policy.max_share_by_supplier:
        if supplier not in ctx.suppliers:
            yield ctx.setting(
                f"risk_policy.max_share_by_supplier.{supplier}",
                f"a share cap for unknown supplier {supplier!r}",
                ctx.known_codes("suppliers"),
            )
    for sku, caps in policy.max_share_by_supplier_sku.items():
        if sku not in ctx.skus:
            yield ctx.setting(
                f"risk_policy.max_share_by_supplier_sku.{sku}",
                f"share caps for unknown SKU {sku!r}",
                ctx.known_codes("skus"),
            )
        for supplier in caps:
            if supplier not in ctx.suppliers:
                yield ctx.setting(
                    f"risk_policy.max_share_by_supplier_sku.{sku}.{supplier}",
                    f"a share cap for unknown supplier {supplier!r}",
                    ctx.known_codes("suppliers"),
                )
    for sku, suppliers in ctx.offering.items():
        if not suppliers or not (policy.max_share_by_supplier or policy.max_share_by_supplier_sku):
            continue
        total = sum(policy.share_cap(s.supplier, sku) for s in suppliers)
        if total < 1.0 - SHARE_TOLERANCE and total < len(suppliers) * policy.max_share_per_supplier:
            yield ctx.setting(  # (the general cap alone is _supplier_share_cap's)
                "risk_policy.max_share_by_supplier_sku",
                f"the share caps of SKU {sku}'s suppliers with an offer "
                f"({_codes(s.supplier for s in suppliers)}) add up to {_share(total)} of its "
                "volume",
                "caps that add up to at least 100 % over the SKU's suppliers",
            )


def _critical_supplier_count(ctx: _Context) -> Iterator[Problem]:
    """A critical SKU with fewer suppliers with an offer than min_suppliers_critical."""
    needed = ctx.policy.min_suppliers_critical
    for index, sku in enumerate(ctx.scenario.skus):
        if not sku.critical or ctx.skus[sku.sku] is not sku:
            continue
        suppliers = [s.supplier for s in ctx.offering[sku.sku]]
        if len(suppliers) >= needed:
            continue
        if not suppliers:
            found = f"critical SKU {sku.sku} has no supplier with an offer"
        elif len(suppliers) == 1:
            found = f"critical SKU {sku.sku} has one supplier with an offer: {suppliers[0]}"
        else:
            found = (
                f"critical SKU {sku.sku} has only {len(suppliers)} suppliers with an offer: "
                f"{_codes(suppliers)}"
            )
        yield ctx.at(
            "skus",
            index,
            "critical",
            found,
            f"at least {needed} suppliers with an offer (risk_policy.min_suppliers_critical, "
            f"qualified or not): add an offer for {sku.sku} from another supplier, or set "
            "critical to false",
        )


def _critical_backup_share(ctx: _Context) -> Iterator[Problem]:
    """min_backup_share_critical x min_suppliers_critical > 1, with a critical SKU to apply to."""
    share, count = ctx.policy.min_backup_share_critical, ctx.policy.min_suppliers_critical
    critical = [code for code, sku in ctx.skus.items() if sku.critical]
    if not critical or share * count <= 1.0 + SHARE_TOLERANCE:
        return
    yield ctx.setting(
        "risk_policy.min_backup_share_critical",
        f"critical SKUs ({_codes(critical)}) need at least {count} suppliers with at least "
        f"{_share(share)} each, {_share(share * count)} of their volume",
        "min_backup_share_critical x min_suppliers_critical at most 1: "
        f"a min_backup_share_critical of at most {_share(round(1.0 / count, 6))}",
    )


def _region_caps(ctx: _Context) -> Iterator[Problem]:
    """A SKU whose every supplier is in a capped region, the caps adding up to less than 1."""
    caps = ctx.policy.max_share_per_region
    if not caps:
        return
    for sku, suppliers in ctx.offering.items():
        regions: dict[str, list[str]] = {}
        for supplier in suppliers:
            regions.setdefault(_region(supplier), []).append(supplier.supplier)
        if not regions or any(region not in caps for region in regions):
            continue
        total = sum(caps[region] for region in regions)
        if total >= 1.0 - SHARE_TOLERANCE:
            continue
        parts = ", ".join(
            f"{region} {_share(caps[region])} ({_codes(codes)})"
            for region, codes in regions.items()
        )
        yield ctx.setting(
            "risk_policy.max_share_per_region",
            f"every supplier of SKU {sku} is in a capped region: {parts}; together they allow "
            f"only {_share(total)} of its volume",
            f"caps on these regions that add up to at least 1, or an offer for {sku} from a "
            "supplier in another region",
        )


# --------------------------------------------------------------------------- errors: capacity, lead


def _moq_above_horizon_capacity(ctx: _Context) -> Iterator[Problem]:
    """An MOQ above what the supplier can make over the whole horizon (capacity > 0)."""
    for (supplier_code, sku), index in ctx.offers.items():
        supplier = ctx.suppliers.get(supplier_code)
        if supplier is None or supplier.capacity_units_per_week <= 0:
            continue  # unknown, or switched off (a what-if): the offer is simply not used
        offer = ctx.scenario.offers[index]
        limit = supplier.capacity_units_per_week * ctx.horizon_days / 7.0
        if offer.moq_units <= limit:
            continue
        yield ctx.at(
            "offers",
            index,
            "moq_units",
            f"an MOQ of {_units(offer.moq_units)} for SKU {sku}, more than supplier "
            f"{supplier_code} can make over the whole horizon "
            f"({_units(supplier.capacity_units_per_week)} per week x {_days(ctx.horizon_days)} "
            f"= {_units(limit)})",
            f"an MOQ of at most {_units(limit)}, or more capacity_units_per_week for "
            f"{supplier_code}, or a longer horizon",
        )


def _lead_time_limit(ctx: _Context) -> Iterator[Problem]:
    """A SKU whose every offer x lane takes longer than max_lead_time_days."""
    limit = ctx.policy.max_lead_time_days
    if limit is None:
        return
    for sku, suppliers in ctx.offering.items():
        routes = [
            (mean_lead_time_days(s, lane), s, lane)
            for s in suppliers
            for lane in ctx.scenario.lanes_from(s.origin_port)
        ]
        if not routes:
            continue  # no offer or no lane: reported elsewhere
        days, supplier, lane = min(routes, key=lambda route: route[0])
        if days <= limit:
            continue
        yield ctx.setting(
            "risk_policy.max_lead_time_days",
            f"every offer for SKU {sku} takes longer than {_days(limit)}: the fastest is "
            f"supplier {supplier.supplier} by lane {lane.lane}, "
            f"{_num(supplier.production_lead_time_days_mean)} production + "
            f"{_num(lane.transit_days_mean)} transit = {_days(days)}",
            f"a max_lead_time_days of at least {_num(days)}, or a faster offer or lane for {sku}",
        )


# --------------------------------------------------------------------------- warnings


def _demand_above_total_capacity(ctx: _Context) -> Iterator[Problem]:
    """Demand over the horizon (less stock) above the capacity of every supplier with an offer."""
    if len(ctx.skus) < 2:
        return  # the per-SKU check says it
    needed = 0.0
    for sku in ctx.skus:
        demand, stock = ctx.horizon_demand(sku)
        needed += max(demand - stock, 0.0)
    suppliers = [s for code, s in ctx.suppliers.items() if ctx.has_offer(code)]
    capacities = [(s.supplier, ctx.horizon_capacity(s)) for s in suppliers]
    total = sum(capacity for _, capacity in capacities)
    if needed <= total * (1.0 + 1e-9):
        return
    parts = ", ".join(f"{code} {_num(capacity)}" for code, capacity in capacities)
    yield ctx.at(
        "suppliers",
        None,
        "capacity_units_per_week",
        f"the SKUs need {_units(needed)} over the horizon ({ctx.horizon_text()}, demand less "
        f"stock on hand and in transit) but the suppliers with an offer can make "
        f"{_units(total)} in it ({parts or 'none'}, after shutdowns)",
        "more capacity_units_per_week or another supplier, or expect lost sales",
        WARNING,
    )


def _demand_above_sku_capacity(ctx: _Context) -> Iterator[Problem]:
    """A SKU's demand over the horizon (less stock) above the capacity of its suppliers."""
    for index, sku in enumerate(ctx.scenario.skus):
        if ctx.skus[sku.sku] is not sku:
            continue
        demand, stock = ctx.horizon_demand(sku.sku)
        needed = demand - stock
        suppliers = ctx.offering[sku.sku]
        capacity = sum(ctx.horizon_capacity(s) for s in suppliers)
        if needed <= capacity * (1.0 + 1e-9):
            continue
        need = f"SKU {sku.sku} needs {_units(needed)} over the horizon ({ctx.horizon_text()})"
        if stock > 0:
            need += f": demand {_units(demand)} less {_units(stock)} on hand or in transit"
        if suppliers:
            names = _codes(s.supplier for s in suppliers)
            found = f"{need}, but its suppliers ({names}) can make {_units(capacity)}"
            found += " after shutdowns"
        else:
            found = f"{need}, but no supplier has an offer for it"
        yield ctx.at(
            "skus",
            index,
            "sku",
            found,
            f"more capacity or another offer for {sku.sku}, or expect lost sales",
            WARNING,
        )


def _moq_above_period_capacity(ctx: _Context) -> Iterator[Problem]:
    """An MOQ above one period's capacity (but within the horizon's)."""
    for (supplier_code, sku), index in ctx.offers.items():
        supplier = ctx.suppliers.get(supplier_code)
        if supplier is None or supplier.capacity_units_per_week <= 0:
            continue
        offer = ctx.scenario.offers[index]
        per_period = supplier.capacity_units_per_week * ctx.horizon.period_length_days / 7.0
        whole = supplier.capacity_units_per_week * ctx.horizon_days / 7.0
        if not per_period < offer.moq_units <= whole:
            continue
        yield ctx.at(
            "offers",
            index,
            "moq_units",
            f"an MOQ of {_units(offer.moq_units)} for SKU {sku}, more than supplier "
            f"{supplier_code} makes in one period ({_units(per_period)} in "
            f"{_days(ctx.horizon.period_length_days)})",
            f"an MOQ of at most {_units(per_period)}, or expect each order to take more than one "
            f"period of {supplier_code}'s capacity",
            WARNING,
        )


def _rising_prices(ctx: _Context) -> Iterator[Problem]:
    """A price tier dearer than the tier before it."""
    for (supplier, sku), rows in ctx.tiers.items():
        tiers: list[tuple[int, PriceBreak]] = [(i, ctx.scenario.price_breaks[i]) for i in rows]
        for (_, lower), (index, higher) in pairwise(tiers):
            if higher.min_qty_units == lower.min_qty_units:
                continue  # a duplicate, reported as such
            if higher.unit_price <= lower.unit_price:
                continue
            yield ctx.at(
                "price_breaks",
                index,
                "unit_price",
                f"the tier at {_units(higher.min_qty_units)} of supplier {supplier}'s offer for "
                f"SKU {sku} costs {_money(ctx, higher.unit_price)}, more than the "
                f"{_money(ctx, lower.unit_price)} of the tier at {_units(lower.min_qty_units)}",
                "prices that fall (or stay) as the quantity rises; check the order of the rows",
                WARNING,
            )


def _missing_duties(ctx: _Context) -> Iterator[Problem]:
    """An offer with no duty row in effect for its SKU and the supplier's country."""
    start = ctx.horizon.start_date
    for (supplier_code, sku), index in ctx.offers.items():
        supplier = ctx.suppliers.get(supplier_code)
        if supplier is None or sku not in ctx.skus:
            continue
        country = supplier.country
        if ctx.scenario.duty_for(sku, country, start) is not None:
            continue
        lanes = ctx.scenario.lanes_from(supplier.origin_port)
        if lanes and all(lane.duty_included for lane in lanes):
            continue  # every lane is DDP: the rate includes duty
        later = [
            d.effective_from
            for d in ctx.scenario.duties
            if d.sku in (sku, "*") and d.origin_country == country and d.effective_from
        ]
        found = f"no duty row for SKU {sku} from {country} (supplier {supplier_code})"
        if later:
            found += f" in effect at the horizon start {start}"
            found += f" (the first takes effect {min(later)})"
        yield ctx.at(
            "offers",
            index,
            "supplier, sku",
            found + ": duty is taken as 0",
            f"a row in {ctx.source('duties')} for SKU {sku} (or *) and origin_country {country}, "
            "with duty_rate 0 if it is duty-free",
            WARNING,
        )


def _selling_below_cost(ctx: _Context) -> Iterator[Problem]:
    """A SKU whose selling price is below its cheapest factory price."""
    for index, sku in enumerate(ctx.scenario.skus):
        cheapest = ctx.cheapest_tier.get(sku.sku)
        if cheapest is None or sku.selling_price >= cheapest.unit_price:
            continue
        yield ctx.at(
            "skus",
            index,
            "selling_price",
            f"SKU {sku.sku} sells at {_money(ctx, sku.selling_price)}, below its cheapest factory "
            f"price {_money(ctx, cheapest.unit_price)} (supplier {cheapest.supplier}, tier at "
            f"{_units(cheapest.min_qty_units)})",
            "a selling_price above the factory price; check both are per unit and in "
            f"{ctx.currency}",
            WARNING,
        )


def _free_qualification(ctx: _Context) -> Iterator[Problem]:
    """An unqualified supplier whose qualification costs nothing."""
    for index, supplier in enumerate(ctx.scenario.suppliers):
        if supplier.qualified or supplier.qualification_cost > 0:
            continue
        yield ctx.at(
            "suppliers",
            index,
            "qualification_cost",
            f"supplier {supplier.supplier} is not qualified, but qualifying it costs "
            f"{_money(ctx, 0.0)}",
            "the one-off cost of qualifying it, or qualified true if it is already approved",
            WARNING,
        )


def _money(ctx: _Context, value: float) -> str:
    return f"{value:,.2f} {ctx.currency}"


# --------------------------------------------------------------------------- entry point


CHECKS: tuple[Check, ...] = (
    # errors
    _duplicate_keys,
    _unknown_references,
    _price_breaks_without_offer,
    _offers_without_price_breaks,
    _suppliers_without_lane,
    _unknown_disruption_targets,
    _unknown_risk_policy_names,
    _first_tier_above_moq,
    _demand_beyond_horizon,
    _skus_without_demand,
    _in_transit_beyond_horizon,
    _shutdowns_ending_before_start,
    _fixed_split_sums,
    _fixed_split_without_offer,
    _supplier_share_cap,
    _share_caps_by_offer,
    _critical_supplier_count,
    _critical_backup_share,
    _region_caps,
    _moq_above_horizon_capacity,
    _lead_time_limit,
    # warnings
    _demand_above_total_capacity,
    _demand_above_sku_capacity,
    _moq_above_period_capacity,
    _rising_prices,
    _missing_duties,
    _selling_below_cost,
    _free_qualification,
)
"""Every check, each a function of the context yielding problems."""


def scenario_problems(
    scenario: Scenario,
    sources: Mapping[str, str] | None = None,
    row_numbers: Mapping[str, Sequence[int]] | None = None,
) -> list[Problem]:
    """Every cross-table and sanity problem of a scenario whose rows passed the schema.

    Args:
        scenario: The scenario, every row and setting already validated.
        sources: Table name -> file or sheet label (``"offers.csv"``,
            ``"book.xlsx[offers]"``); ``"settings"`` -> the settings file. Missing names default
            to ``"<table>.csv"`` and ``"scenario.yaml"``.
        row_numbers: Table name -> the spreadsheet row of each of its rows, in order (header is
            row 1). Missing tables default to ``index + 2``.

    Returns:
        Errors and warnings together, settings first, then the tables in ``TABLE_NAMES``
        order, each by row (whole-table problems first); problems of one row keep the order
        of ``CHECKS``. Empty when the scenario is clean.
    """
    ctx = _Context(scenario, sources, row_numbers)
    problems = [problem for check in CHECKS for problem in check(ctx)]
    order = [ctx.source(SETTINGS), *(ctx.source(table) for table in TABLE_NAMES)]
    rank: dict[str, int] = {}
    for position, source in enumerate(order):
        rank.setdefault(source, position)
    return sorted(
        problems,
        key=lambda p: (rank.get(p.source, len(order)), -1 if p.row is None else p.row),
    )
