"""The scenario schema: every entity of the domain contract as a strict, frozen pydantic model.

Money is in the scenario's currency, time in days (or periods where the name says so),
quantities in units. Each table row model carries its unit in its field names; the field
docstrings (``description``) are the file-format reference that docs/scenario-format.md mirrors.

A scenario is one YAML file of settings that points at CSV tables (or one Excel workbook with a
sheet per table). ``Scenario`` is the validated, immutable result of loading one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from engine.scenario import limits


def _not_bool(value: Any) -> Any:
    """A number cell holding true/false (a workbook's TRUE) is a mistake, not 1 or 0."""
    if isinstance(value, bool):
        raise ValueError("a number, not true/false")
    return value


def _not_number(value: Any) -> Any:
    """A date must be written as a date: a bare number is not read as days or seconds."""
    if isinstance(value, bool | int | float):
        raise ValueError("a date like 2027-01-04, not a number")
    return value


def _date_in_range(value: dt.date) -> dt.date:
    if not limits.EARLIEST_DATE <= value <= limits.LATEST_DATE:
        raise ValueError(f"a date from {limits.EARLIEST_DATE} to {limits.LATEST_DATE}")
    return value


# Every number of the scenario is one of these types: finite (no inf or nan), never true/false,
# and bounded where it is physical (the bounds live in limits.py and docs/input-limits.md).
Finite = Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False)]
Whole = Annotated[int, BeforeValidator(_not_bool)]
Share = Annotated[Finite, Field(ge=0.0, le=1.0)]
Rate = Annotated[Finite, Field(ge=0.0, le=limits.MAX_RATE)]
Factor = Annotated[Finite, Field(gt=0.0, le=limits.MAX_FACTOR)]
Days = Annotated[Finite, Field(ge=0.0, le=limits.MAX_DAYS)]
Units = Annotated[Finite, Field(ge=0.0, le=limits.MAX_QUANTITY_UNITS)]
UnitMoney = Annotated[Finite, Field(ge=0.0, le=limits.MAX_UNIT_MONEY)]
Money = Annotated[Finite, Field(ge=0.0, le=limits.MAX_MONEY)]
Period = Annotated[Whole, Field(ge=1, le=limits.MAX_PERIODS)]
HorizonDay = Annotated[Whole, Field(ge=0, le=limits.MAX_HORIZON_DAYS)]
Date = Annotated[dt.date, BeforeValidator(_not_number), AfterValidator(_date_in_range)]
Text = Annotated[str, Field(max_length=limits.MAX_TEXT_LENGTH)]
Country = Annotated[str, Field(min_length=2, max_length=2)]
Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=limits.MAX_CODE_LENGTH,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$",
    ),
]


class Strict(BaseModel):
    """Base of every input model: unknown keys rejected, values frozen after validation, and
    no infinite or nan number anywhere (also where a field is a plain ``float``)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


# --------------------------------------------------------------------------- enums


class PriceBreakType(StrEnum):
    """How an offer's price breaks apply to a purchase order quantity."""

    ALL_UNITS = "all_units"  # every unit costs the price of the tier the PO quantity reaches
    INCREMENTAL = "incremental"  # the units inside each tier cost that tier's price


class ShippingMode(StrEnum):
    SEA_FCL = "sea_fcl"
    SEA_LCL = "sea_lcl"
    AIR = "air"
    EXPRESS = "express"
    RAIL = "rail"


class CustomsBase(StrEnum):
    """The value duty is charged on."""

    FOB = "FOB"  # factory price (free on board at origin)
    CIF = "CIF"  # factory price + freight + insurance


class SupplierKind(StrEnum):
    FACTORY = "factory"
    TRADING_COMPANY = "trading_company"


class DefectRemedy(StrEnum):
    """What the supplier's terms give for units rejected at quality control."""

    REPLACE = "replace"  # defective units are remade and shipped with the next lot
    CREDIT = "credit"  # defective units are credited against the balance


class FulfilmentModel(StrEnum):
    DOMESTIC_3PL = "domestic_3pl"  # containers into a 3PL warehouse in the market
    DIRECT = "direct"  # small batches from a fulfilment centre near the factory


class ShortageRule(StrEnum):
    LOST_SALES = "lost_sales"
    BACKORDERS = "backorders"


# --------------------------------------------------------------------------- table rows


class Sku(Strict):
    """One row of ``skus.csv``: a product the brand sells."""

    sku: Identifier = Field(description="SKU code, unique.")
    name: Text = Field(default="", description="Product name (free text).")
    selling_price: UnitMoney = Field(description="Price the customer pays, per unit.")
    unit_weight_kg: Annotated[Finite, Field(gt=0.0, le=limits.MAX_UNIT_WEIGHT_KG)] = Field(
        description="Shipping weight of one unit, kg."
    )
    unit_volume_cbm: Annotated[Finite, Field(gt=0.0, le=limits.MAX_UNIT_VOLUME_CBM)] = Field(
        description="Shipping volume of one unit, cubic metres."
    )
    holding_cost_rate_annual: Rate = Field(
        description="Cost of holding stock on hand per year, as a share of landed value "
        "(storage, insurance, capital), e.g. 0.25."
    )
    lost_sale_penalty_per_unit: UnitMoney | None = Field(
        default=None,
        description="Cost of one unit of demand not met; blank means the unit margin "
        "(selling price minus the cheapest factory price).",
    )
    service_level_target: Annotated[Finite, Field(gt=0.0, lt=1.0)] = Field(
        default=0.95, description="Cycle service level the safety stock aims at, e.g. 0.95."
    )
    critical: bool = Field(
        default=False, description="Critical SKUs must be dual-sourced (risk policy)."
    )
    opening_stock_units: Units = Field(default=0.0, description="Stock on hand at start.")
    demand_mean_units_per_period: Units | None = Field(
        default=None,
        description="Mean demand per period, used for every period that demand.csv does not list.",
    )
    demand_std_units_per_period: Units = Field(
        default=0.0, description="Standard deviation of demand per period (spread)."
    )


class Supplier(Strict):
    """One row of ``suppliers.csv``: a factory or a trading company."""

    supplier: Identifier = Field(description="Supplier code, unique, e.g. GZ-01.")
    name: Text = Field(default="", description="Supplier name (free text).")
    kind: SupplierKind = Field(
        default=SupplierKind.FACTORY, description="factory or trading_company."
    )
    country: Country = Field(description="ISO 3166 two-letter country of origin, e.g. CN, VN.")
    region: Text = Field(
        default="", description="Region for share caps, e.g. Guangdong; blank = country."
    )
    origin_port: Identifier = Field(
        description="Port or hub the goods leave from; lanes start here."
    )
    capacity_units_per_week: Units = Field(description="Units per week over all SKUs.")
    production_lead_time_days_mean: Days = Field(description="PO to ready-to-ship, days.")
    production_lead_time_days_std: Days = Field(default=0.0, description="Spread, days.")
    quoted_lead_time_days: Days | None = Field(
        default=None,
        description="Production lead time the supplier promises, PO to ready-to-ship, working "
        "days: a lot ready later than this is late (on_time_rate is the share ready by it). "
        "Blank = the mean plus two standard deviations, rounded half up to whole days.",
    )
    on_time_rate: Share = Field(
        default=1.0,
        description="Share of POs ready by the promised date (PO day + quoted_lead_time_days).",
    )
    defect_rate: Share = Field(default=0.0, description="Share of units rejected at QC.")
    defect_remedy: DefectRemedy = Field(
        default=DefectRemedy.CREDIT, description="replace or credit."
    )
    deposit_share: Share = Field(description="Share of the PO value paid when the PO is placed.")
    balance_days_after_shipment: Annotated[
        Whole, Field(ge=-limits.MAX_DAYS, le=limits.MAX_DAYS)
    ] = Field(
        default=0,
        description="When the balance is paid, in days after shipment; 0 = at shipment, "
        "negative = before shipment (e.g. -7), 30 = net 30.",
    )
    qualified: bool = Field(default=True, description="Already qualified (approved) to supply.")
    qualification_cost: Money = Field(
        default=0.0,
        description="One-off cost of qualifying the supplier if it is not yet qualified.",
    )


class Offer(Strict):
    """One row of ``offers.csv``: what a supplier quotes for a SKU (prices in price_breaks.csv)."""

    supplier: Identifier = Field(description="Supplier code (suppliers.csv).")
    sku: Identifier = Field(description="SKU code (skus.csv).")
    price_break_type: PriceBreakType = Field(
        default=PriceBreakType.ALL_UNITS, description="all_units or incremental."
    )
    moq_units: Units = Field(default=0.0, description="Minimum order quantity per PO.")
    order_multiple_units: Annotated[Units, Field(ge=1.0)] = Field(
        default=1.0, description="PO quantities are whole multiples of this (carton size)."
    )
    tooling_cost: Money = Field(
        default=0.0, description="One-off cost (moulds, tooling) if this supplier makes the SKU."
    )

    @property
    def key(self) -> str:
        return f"{self.supplier}:{self.sku}"


class PriceBreak(Strict):
    """One row of ``price_breaks.csv``: a tier of an offer's price list."""

    supplier: Identifier = Field(description="Supplier code (offers.csv).")
    sku: Identifier = Field(description="SKU code (offers.csv).")
    min_qty_units: Units = Field(
        description="Smallest PO quantity (all-units) or first unit (incremental) of the tier; "
        "the first tier starts at 0."
    )
    unit_price: UnitMoney = Field(description="FOB price per unit in this tier.")


class Lane(Strict):
    """One row of ``lanes.csv``: a shipping mode from an origin port to the fulfilment node."""

    lane: Identifier = Field(description="Lane code, unique, e.g. YTN-LAX-FCL.")
    origin_port: Identifier = Field(description="Origin port or hub (suppliers.csv origin_port).")
    mode: ShippingMode = Field(description="sea_fcl, sea_lcl, air, express or rail.")
    cost_per_unit: UnitMoney = Field(default=0.0, description="Freight per unit shipped.")
    cost_per_kg: UnitMoney = Field(
        default=0.0, description="Freight per chargeable kg (the larger of actual and volumetric)."
    )
    cost_per_cbm: UnitMoney = Field(default=0.0, description="Freight per cubic metre.")
    volumetric_factor_kg_per_cbm: Annotated[
        Finite, Field(ge=0.0, le=limits.MAX_VOLUMETRIC_KG_PER_CBM)
    ] = Field(
        default=0.0,
        description="Volumetric weight per cbm (air 167, express 200); 0 = charge actual weight.",
    )
    container_cost: Money = Field(default=0.0, description="Cost per container (FCL).")
    container_capacity_cbm: Annotated[Finite, Field(ge=0.0, le=limits.MAX_CONTAINER_CBM)] = Field(
        default=0.0, description="Usable volume per container, cbm; 0 = no containers."
    )
    cost_per_shipment: Money = Field(
        default=0.0, description="Fixed cost per shipment (documents, handling, delivery)."
    )
    insurance_rate: Share = Field(
        default=0.0, description="Cargo insurance as a share of goods value plus freight."
    )
    transit_days_mean: Days = Field(description="Shipment to arrival, days.")
    transit_days_std: Days = Field(default=0.0, description="Spread, days.")
    duty_included: bool = Field(
        default=False, description="Delivered duty paid (DDP): the rate already includes duty."
    )


def mean_lead_time_days(supplier: Supplier, lane: Lane) -> float:
    """Production plus transit days of an offer shipped on a lane, on their means
    (``P_s + T_l``): what the maximum lead time, the lead-time column of the landed-cost table
    and the policies' safety stock use."""
    return supplier.production_lead_time_days_mean + lane.transit_days_mean


class Duty(Strict):
    """One row of ``duties.csv``: the duty on a SKU from an origin country."""

    sku: Annotated[str, Field(pattern=r"^(\*|[A-Za-z0-9][A-Za-z0-9_\-]*)$")] = Field(
        description="SKU code, or * for every SKU."
    )
    origin_country: Country = Field(description="Origin country (suppliers.csv country).")
    duty_rate: Share = Field(description="Ad-valorem duty rate, e.g. 0.065.")
    extra_tariff_rate: Rate = Field(
        default=0.0, description="Extra tariff by origin on top of the duty, e.g. 0.25."
    )
    fee_per_shipment: Money = Field(
        default=0.0, description="Fixed customs fees per shipment (entry, brokerage)."
    )
    effective_from: Date | None = Field(
        default=None,
        description="Date this row takes effect (a tariff change); blank = from the start. "
        "The latest row in effect wins.",
    )


class Shutdown(Strict):
    """One row of ``calendars.csv``: a period when a supplier makes less or nothing."""

    supplier: Identifier = Field(description="Supplier code.")
    start_date: Date = Field(description="First day of the shutdown.")
    end_date: Date = Field(description="Last day of the shutdown (inclusive).")
    capacity_factor: Share = Field(
        default=0.0, description="Share of normal capacity during the shutdown; 0 = closed."
    )
    reason: Text = Field(default="", description="e.g. Chinese New Year.")


class DemandRow(Strict):
    """One row of ``demand.csv``: demand of a SKU in one period (an explicit series)."""

    sku: Identifier = Field(description="SKU code.")
    period: Period = Field(description="Period number, 1 = the first.")
    mean_units: Units = Field(description="Expected demand in the period, units.")
    std_units: Units = Field(default=0.0, description="Standard deviation, units.")


class InTransit(Strict):
    """One row of ``in_transit.csv``: goods already ordered that arrive during the horizon."""

    sku: Identifier = Field(description="SKU code.")
    supplier: Identifier = Field(description="Supplier code.")
    quantity_units: Annotated[Units, Field(gt=0.0)] = Field(description="Units on the way.")
    arrival_period: Period = Field(description="Period the goods arrive.")


# --------------------------------------------------------------------------- settings (YAML)


class Horizon(Strict):
    start_date: Date = Field(description="First day of period 1.")
    periods: Annotated[Whole, Field(ge=1, le=limits.MAX_PERIODS)] = Field(
        description="Number of planning periods."
    )
    period_length_days: Annotated[Whole, Field(ge=1, le=limits.MAX_PERIOD_LENGTH_DAYS)] = Field(
        default=7, description="7 = weeks, 30 = months."
    )

    @model_validator(mode="after")
    def _ends_in_range(self) -> Horizon:
        days = self.periods * self.period_length_days - 1
        if self.start_date.toordinal() + days > limits.LATEST_DATE.toordinal():
            raise ValueError(
                f"a horizon that ends by {limits.LATEST_DATE}: {self.periods} periods of "
                f"{self.period_length_days} days from {self.start_date} end later"
            )
        return self

    @property
    def end_date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.periods * self.period_length_days - 1)

    def period_of(self, day: dt.date) -> int:
        """The 1-based period a date falls in (may be outside 1..periods)."""
        return (day - self.start_date).days // self.period_length_days + 1


DAYS_PER_YEAR: float = 365.0
"""Days an annual rate (cost of capital, holding cost) is spread over."""


class Finance(Strict):
    currency: Annotated[str, Field(max_length=10)] = Field(
        default="USD", description="Currency of every money field."
    )
    annual_cost_of_capital: Annotated[Finite, Field(ge=0.0, le=2.0)] = Field(
        description="Cost of capital per year, e.g. 0.12."
    )
    opening_cash: Annotated[Finite, Field(ge=-limits.MAX_MONEY, le=limits.MAX_MONEY)] = Field(
        default=0.0, description="Cash at the start."
    )
    working_capital_ceiling: Money | None = Field(
        default=None,
        description="Optional ceiling on working capital (stock + goods in transit + "
        "receivables + supplier prepayments - payables, docs/finance.md) at any period's end.",
    )
    customs_base: CustomsBase = Field(default=CustomsBase.FOB, description="FOB (US) or CIF (EU).")


class Fulfilment(Strict):
    model: FulfilmentModel = Field(default=FulfilmentModel.DOMESTIC_3PL)
    days_to_customer: Days = Field(default=3.0, description="Order to delivery, days.")
    cost_per_unit: UnitMoney = Field(
        default=0.0, description="Pick, pack and parcel cost per unit sold."
    )
    dso_days: Days = Field(
        default=2.0, description="Days from sale to cash (payment-processor payout delay)."
    )
    shortage: ShortageRule = Field(default=ShortageRule.LOST_SALES)


class RiskPolicy(Strict):
    max_share_per_supplier: Share = Field(
        default=1.0, description="No supplier gets more than this share of any SKU's volume."
    )
    max_share_per_region: dict[str, Share] = Field(
        default_factory=dict, description="Region (or country) -> max share of total volume."
    )
    min_backup_share_critical: Share = Field(
        default=0.0, description="Critical SKUs: every supplier used gets at least this share."
    )
    min_suppliers_critical: Annotated[Whole, Field(ge=1, le=limits.MAX_SUPPLIERS_CRITICAL)] = Field(
        default=2, description="Critical SKUs: at least this many suppliers."
    )
    max_lead_time_days: Days | None = Field(
        default=None, description="Offers whose production + transit exceed this are not used."
    )
    fixed_splits: dict[str, dict[str, Share]] = Field(
        default_factory=dict,
        description="Planner-fixed splits: SKU -> {supplier: share}, shares add up to 1.",
    )
    max_share_by_supplier: dict[str, Share] = Field(
        default_factory=dict,
        description="Supplier -> max share of any SKU's volume, beside max_share_per_supplier "
        "(the lowest cap that applies holds).",
    )
    max_share_by_supplier_sku: dict[str, dict[str, Share]] = Field(
        default_factory=dict,
        description="SKU -> {supplier: max share of that SKU's volume}, beside the other caps "
        "(the lowest cap that applies holds).",
    )

    def share_cap(self, supplier: str, sku: str) -> float:
        """The most of ``sku``'s volume ``supplier`` may get: the lowest of
        ``max_share_per_supplier``, ``max_share_by_supplier`` and ``max_share_by_supplier_sku``
        that apply (the one rule the optimizer, the checker and the stochastic model use)."""
        return min(
            self.max_share_per_supplier,
            self.max_share_by_supplier.get(supplier, 1.0),
            self.max_share_by_supplier_sku.get(sku, {}).get(supplier, 1.0),
        )


# --------------------------------------------------------------------------- disruptions


class DisruptionWindow(Strict):
    start_day: HorizonDay = Field(description="Day of the horizon it starts (0 = first).")
    length_days: Annotated[HorizonDay, Field(ge=1)] = Field(description="How long it lasts, days.")
    probability: Share = Field(default=1.0, description="Chance it happens in a replication.")
    random_start: bool = Field(
        default=False, description="If true, the start is uniform over the horizon instead."
    )


class SupplierShutdown(DisruptionWindow):
    kind: Literal["supplier_shutdown"]
    supplier: Identifier


class LeadTimeShock(DisruptionWindow):
    kind: Literal["lead_time_shock"]
    supplier: Identifier
    extra_days: Days = 0.0
    factor: Factor = 1.0


class PortDelay(DisruptionWindow):
    kind: Literal["port_delay"]
    origin_port: Identifier
    mode: ShippingMode | None = None
    extra_days: Annotated[Days, Field(gt=0.0)]


class DefectSpike(DisruptionWindow):
    kind: Literal["defect_spike"]
    supplier: Identifier
    defect_rate: Share


class DemandSpike(DisruptionWindow):
    kind: Literal["demand_spike"]
    sku: str = Field(default="*", description="SKU code or * for every SKU.")
    factor: Factor


class TariffChange(Strict):
    kind: Literal["tariff_change"]
    origin_country: Country
    sku: str = Field(default="*", description="SKU code or * for every SKU.")
    start_day: HorizonDay
    extra_tariff_rate: Rate = Field(description="The new extra tariff rate from that day.")
    probability: Share = 1.0


class RecurringOutage(Strict):
    """A supplier that goes down and comes back at random, several times a replication: from
    day 0 it is up for a drawn number of days, then down for a drawn number, and so on to the
    end of the horizon. Down days stop production like a shutdown."""

    kind: Literal["recurring_outage"]
    supplier: Identifier
    mean_up_days: Annotated[float, Field(ge=1.0, le=limits.MAX_DAYS)] = Field(
        description="Mean days the supplier runs between two outages."
    )
    mean_down_days: Annotated[float, Field(ge=1.0, le=limits.MAX_DAYS)] = Field(
        description="Mean days an outage lasts."
    )
    distribution: Literal["geometric", "fixed"] = Field(
        default="geometric",
        description="geometric: up and down times are geometric on 1, 2, ... days with these "
        "means (memoryless, a daily chance 1 / mean of changing state); fixed: exactly the "
        "means, rounded to whole days.",
    )
    probability: Share = Field(
        default=1.0, description="Chance the supplier is outage-prone in a replication."
    )


Disruption = Annotated[
    SupplierShutdown
    | LeadTimeShock
    | PortDelay
    | DefectSpike
    | DemandSpike
    | TariffChange
    | RecurringOutage,
    Field(discriminator="kind"),
]


# --------------------------------------------------------------------------- the scenario

TABLE_NAMES: tuple[str, ...] = (
    "skus",
    "suppliers",
    "offers",
    "price_breaks",
    "lanes",
    "duties",
    "calendars",
    "demand",
    "in_transit",
)
"""Tables in file order; each is ``<name>.csv`` or the sheet ``<name>`` of a workbook."""

REQUIRED_TABLES: frozenset[str] = frozenset(
    {"skus", "suppliers", "offers", "price_breaks", "lanes", "duties"}
)

ROW_MODELS: dict[str, type[Strict]] = {
    "skus": Sku,
    "suppliers": Supplier,
    "offers": Offer,
    "price_breaks": PriceBreak,
    "lanes": Lane,
    "duties": Duty,
    "calendars": Shutdown,
    "demand": DemandRow,
    "in_transit": InTransit,
}

TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "skus": ("sku",),
    "suppliers": ("supplier",),
    "offers": ("supplier", "sku"),
    "price_breaks": ("supplier", "sku", "min_qty_units"),
    "lanes": ("lane",),
    "duties": ("sku", "origin_country", "effective_from"),
    "calendars": ("supplier", "start_date"),
    "demand": ("sku", "period"),
    "in_transit": ("sku", "supplier", "arrival_period"),
}
"""Columns that identify a row; overrides address rows by these (joined with ':')."""


class Settings(Strict):
    """The YAML part of a scenario: everything that is not a table."""

    name: Identifier = Field(description="Scenario name.")
    description: Text = Field(default="", description="Free text.")
    horizon: Horizon
    finance: Finance
    fulfilment: Fulfilment = Field(default_factory=Fulfilment)
    risk_policy: RiskPolicy = Field(default_factory=RiskPolicy)
    disruptions: tuple[Disruption, ...] = Field(default=())
    overrides: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Named what-if overrides: name -> {dotted.key: value}.",
    )
    scenarios: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Named scenarios: name -> override names, applied in the order listed.",
    )


class Scenario(Settings):
    """A validated scenario: settings plus every table as a tuple of rows."""

    skus: tuple[Sku, ...]
    suppliers: tuple[Supplier, ...]
    offers: tuple[Offer, ...]
    price_breaks: tuple[PriceBreak, ...]
    lanes: tuple[Lane, ...]
    duties: tuple[Duty, ...]
    calendars: tuple[Shutdown, ...] = ()
    demand: tuple[DemandRow, ...] = ()
    in_transit: tuple[InTransit, ...] = ()

    # ---- look-ups used by landed cost, the optimizer and the simulation
    # Indexed: each index is built on first use from its table and kept beside it; a copy with
    # another table (``model_copy(update=...)``) builds its own, since an index is only used
    # with the very table object it was built from.

    def _index(self, table: str, key: Callable[[Any], Any]) -> dict[Any, list[Any]]:
        """The rows of ``table`` grouped by ``key``, in table order."""
        rows = getattr(self, table)
        cached = self.__dict__.get(f"_index_{table}")
        if cached is None or cached[0] is not rows:
            index: dict[Any, list[Any]] = {}
            for row in rows:
                index.setdefault(key(row), []).append(row)
            cached = (rows, index)
            self.__dict__[f"_index_{table}"] = cached  # not a field: no validation, no dump
        return cached[1]

    def sku(self, code: str) -> Sku:
        found = self._index("skus", lambda s: s.sku).get(code)
        if found is None:
            raise StopIteration(code)  # as the scan before the index did
        return found[0]

    def supplier(self, code: str) -> Supplier:
        found = self._index("suppliers", lambda s: s.supplier).get(code)
        if found is None:
            raise StopIteration(code)
        return found[0]

    def price_tiers(self, supplier: str, sku: str) -> tuple[PriceBreak, ...]:
        """The offer's price breaks, ordered by ``min_qty_units``."""
        rows = self._index("price_breaks", lambda p: (p.supplier, p.sku)).get((supplier, sku), [])
        return tuple(sorted(rows, key=lambda p: p.min_qty_units))

    def lanes_from(self, origin_port: str) -> tuple[Lane, ...]:
        return tuple(self._index("lanes", lambda lane: lane.origin_port).get(origin_port, ()))

    def duty_for(self, sku: str, origin_country: str, on: dt.date | None = None) -> Duty | None:
        """The duty row in effect on a date (default: the horizon start); SKU rows beat '*'."""
        day = on or self.horizon.start_date
        by_key = self._index("duties", lambda d: (d.sku, d.origin_country))
        for code in (sku, "*"):
            rows = [
                d
                for d in by_key.get((code, origin_country), ())
                if d.effective_from is None or d.effective_from <= day
            ]
            if rows:
                return max(rows, key=lambda d: d.effective_from or dt.date.min)
        return None

    def demand_series(self, sku: str) -> list[tuple[float, float]]:
        """(mean, std) of demand for periods 1..N: demand.csv rows, else the SKU's mean/std."""
        item = self.sku(sku)
        rows = self._index("demand", lambda d: d.sku).get(sku, ())
        listed = {d.period: (d.mean_units, d.std_units) for d in rows}
        fallback = (item.demand_mean_units_per_period or 0.0, item.demand_std_units_per_period)
        return [listed.get(t, fallback) for t in range(1, self.horizon.periods + 1)]
