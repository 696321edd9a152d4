"""The state of one replication and what happens to it (``processes`` says when).

The state is in small parts: the stock (``stock.Stock``: units on hand at average cost,
backorders, sales records), the pipeline (``pipeline.Pipeline``: POs in production, at the port
and at sea), the cash book (``cash_book.CashBook``); ``Replication`` holds them with the money
of the balance sheet and the supplier tallies, and moves goods and money between them.

Money follows the goods (see ``measures`` for the definitions built on it):

* **PO** (day placed): deposit ``deposit_share * value`` paid; tooling of an offer and
  qualification of an unqualified supplier paid with their first PO.
* **Production done** (ready day): QC rejects ``Binomial(units, rate)`` units. Remedy
  ``credit``: the rejected value comes off the balance (or is refunded, ``supplier_credit``,
  when the balance was already paid); remedy ``replace``: the units are remade as a new lot
  entering the supplier's queue that day with a fresh production time, and ship on their own
  (the PO's lane). Good units go to the port.
* **Balance**: ``value - deposit`` (less credits) on ``max(ready day + balance_days_after_shipment,
  PO day)``; a PO whose lot is never ready pays no balance.
* **Shipment** (the ready day; lots of one supplier ready the same day for the same lane travel
  together: one per-shipment cost, one transit draw, one customs entry): freight (variable
  per unit, plus the lane's per-shipment cost and containers on the shipment's volume, shared
  by volume) and insurance (``insurance_rate * (value + variable freight)``) paid; the
  purchase value is recognised (title passes at shipment, FOB) and the goods become inventory
  in transit.
* **Arrival**: duty ``(duty_rate + extra tariff) * base`` per lot (row in effect on the arrival
  day; a tariff change overrides the extra tariff; base = value under FOB, value + variable
  freight + insurance under CIF; 0 on DDP lanes) and one customs fee per shipment (the largest
  ``fee_per_shipment`` of its lots' rows) paid; the lot's landed cost (value + freight +
  insurance + duty + its share of the fee) joins the SKU's stock at average cost.
* **Sale** (demand day): fulfilment ``cost_per_unit`` per unit sold paid; the revenue becomes a
  receivable collected ``ceil(dso_days)`` days later.

Opening stock and opening in-transit goods (in_transit.csv) carry no cash flow and are valued
at the SKU's unit value (its lowest first-tier price).

Fulfilment (``fulfilment`` in the scenario): ``cost_per_unit`` (pick, pack, parcel) is paid per
unit sold, ``days_to_customer`` is reported in ``order_to_delivery_days`` and ``dso_days`` dates
the receipts, under either model. ``domestic_3pl``: lots cross on their lane into the 3PL in
the market, as above. ``direct`` (a fulfilment centre near the factory; each order crosses
alone as a parcel, whose cost is ``cost_per_unit``):

* stock is held near the factory: a shipment reaches the centre on its ship day, with no lane
  freight, insurance, transit or customs fee (the lane the PO names is not sailed);
* duty is paid later, per parcel: each lot's duty (its rate and base as on arrival) is owed
  when it reaches the centre and paid as units are sold, in proportion (the SKU's owed duty
  times units sold / units on hand); it joins the cost of goods sold then, not the stock's
  value before.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np
import simpy

from engine.landed_cost import containers_needed
from engine.scenario.schema import (
    CustomsBase,
    DefectRemedy,
    DefectSpike,
    Duty,
    LeadTimeShock,
    PortDelay,
    TariffChange,
)
from engine.simulation.cash_book import CashBook
from engine.simulation.demand import sample_demand
from engine.simulation.disruptions import (
    RealisedDisruption,
    RealisedDisruptions,
    sample_disruptions,
)
from engine.simulation.events import EventKind, Recorder
from engine.simulation.lots import DepartureKey, Lot, PurchaseOrder, Shipment, ShippedLot
from engine.simulation.orders import OrderRequest
from engine.simulation.pipeline import Pipeline
from engine.simulation.policies import Driver, OrderSchedule
from engine.simulation.processes import Agenda, Timeline
from engine.simulation.production import Factory, LeadTimes, lane_transit_days, round_half_up_int
from engine.simulation.randomness import streams_for
from engine.simulation.rules import RuleEngine
from engine.simulation.stock import Stock
from engine.simulation.world import World

__all__ = ["CashBook", "Replication"]

_EPS = 1e-9


class Replication:
    """One replication: its random draws, its state, and the handlers its timeline calls.

    Args:
        world: The compiled scenario.
        driver: What drives orders (its ``rules`` are in force).
        schedule: ``driver.schedule(world)``, built once per run.
        seed: The run's seed.
        replication: The replication index.
    """

    def __init__(
        self,
        world: World,
        driver: Driver,
        schedule: OrderSchedule,
        seed: int,
        replication: int,
    ) -> None:
        self.world = world
        self.driver = driver
        self.schedule = schedule
        self.replication = replication
        options = world.options
        n, days = len(world.skus), world.sim_days
        self.streams = streams_for(seed, replication, n, len(world.suppliers), len(world.lanes))
        self.recorder = Recorder(replication, options.record_events)
        self.disruptions = sample_disruptions(
            world.scenario,
            self.streams.disruptions,
            world.horizon_days,
            options.random_disruption_lengths,
        )
        self.demand = sample_demand(world, self.streams.demand, self.disruptions)
        self.factories = [
            Factory(s, self.disruptions.shutdown_windows(s.code)) for s in world.suppliers
        ]
        self.rules = RuleEngine(driver.rules, world, self.recorder)
        self.env = simpy.Environment()
        self.timeline = Timeline(self, Agenda(self.env))
        self.cash = CashBook(world.scenario.finance.opening_cash)
        self.stock = Stock(world)
        self.pipeline = Pipeline(world)
        self._hot_paths(driver)

        self.balances_due: dict[int, list[PurchaseOrder]] = {}
        self.receipts_total = [0.0] * (days + world.dso_days + 1)
        self.receipts_due = np.zeros((n if options.record_events else 0, days + world.dso_days + 1))
        self._volume: list[float] = world.unit_volume.tolist()
        self.tooled: set[tuple[str, str]] = set()
        self.qualified: set[str] = set()
        self._next_po = 0

        # money in the balance sheet
        self.transit_value = 0.0
        self.receivables = 0.0
        self.purchases_recognised = 0.0
        self.supplier_paid = 0.0

        # supplier KPIs, per supplier
        m = len(world.suppliers)
        self.supplier_pos = [0] * m
        self.supplier_lots = [0] * m
        self.supplier_late = [0] * m
        self.supplier_inspected = [0.0] * m
        self.supplier_rejected = [0.0] * m
        self.lead_times: list[list[int]] = [[] for _ in range(m)]

        # end-of-day records
        self.cash_end = np.zeros(days)
        self.inventory_value_end = np.zeros(days)
        self.receivables_end = np.zeros(days)
        self.payables_end = np.zeros(days)

    def _hot_paths(self, driver: Driver) -> None:
        """What the handlers look up on every lot, worked out once: per-supplier samplers,
        the rules and disruption kinds in force, the recorder's switch."""
        world = self.world
        streams = self.streams
        slip = world.options.late_slip_days_mean
        self._recording = self.recorder.enabled
        self._start_lot = self.timeline.start_lot
        self._suppliers = world.supplier_by_code
        self._lanes = world.lane_info
        self._lead = [LeadTimes(streams.lead_time[s.index], s, slip) for s in world.suppliers]
        self._replace = [s.row.defect_remedy is DefectRemedy.REPLACE for s in world.suppliers]
        self._late_tolerance = world.options.late_tolerance_days
        self._cif = world.scenario.finance.customs_base is CustomsBase.CIF
        self._duty_rows: dict[tuple[str, str], tuple[list[int], list[Duty | None]]] = {}
        rules = driver.rules
        self._late_rule = rules.late_shift is not None
        self._pause_rule = rules.defect_pause is not None
        self._expedite_rule = rules.expedite is not None
        self._routing = self._late_rule or self._pause_rule
        self._shocked, self._spiked, self._port_delays, self._tariffs = _disruption_kinds(
            self.disruptions
        )

    # ------------------------------------------------------------------ running

    def run(self) -> Replication:
        """Schedule the steps and simulate every day."""
        world = self.world
        for k, units in enumerate(world.opening_stock):
            if units > 0:
                self.recorder.log(
                    0,
                    EventKind.OPENING_STOCK,
                    sku=world.skus[k],
                    quantity=units,
                    value=self.stock.on_hand_value[k],
                )
        self.timeline.start()
        self.env.run(until=world.sim_days)
        self.tally()
        return self

    def pay(
        self,
        day: int,
        kind: EventKind,
        amount: float,
        *,
        sku: str = "",
        supplier: str = "",
        lane: str = "",
        po: int = -1,
        quantity: float = 0.0,
    ) -> None:
        """Move cash (signed, positive = in) and log it; zero amounts are not logged."""
        if amount == 0:
            return
        self.cash.move(kind, amount)
        if self.recorder.enabled:
            self.recorder.log(
                day,
                kind,
                sku=sku,
                supplier=supplier,
                lane=lane,
                po=po,
                quantity=quantity,
                amount=amount,
            )

    def _log_po(
        self, day: int, kind: EventKind, po: PurchaseOrder, lane: str, quantity: float, value: float
    ) -> None:
        """Log a non-cash event of a PO."""
        if self.recorder.enabled:
            self.recorder.log(
                day,
                kind,
                sku=po.sku,
                supplier=po.supplier,
                lane=lane,
                po=po.id,
                quantity=quantity,
                value=value,
            )

    def _pay_po(
        self,
        day: int,
        kind: EventKind,
        amount: float,
        po: PurchaseOrder,
        lane: str,
        quantity: float,
    ) -> None:
        """Move cash for a PO (see ``pay``)."""
        if amount == 0:
            return
        self.cash.move(kind, amount)
        if self._recording:
            self.recorder.log(
                day,
                kind,
                sku=po.sku,
                supplier=po.supplier,
                lane=lane,
                po=po.id,
                quantity=quantity,
                amount=amount,
            )

    # ------------------------------------------------------------------ the day

    def review(self, day: int) -> None:
        """Payments due, decision rules, then the driver's orders."""
        self.pay_due(day)
        rules = self.rules
        if rules.paused_until:
            rules.start_of_day(day)
        if self._expedite_rule:
            rules.expedite(day, self)
        if day >= self.world.horizon_days:
            return
        stock = self.stock
        requests = self.schedule.orders(day, stock.on_hand, self.pipeline.units, stock.backlog)
        if not self._routing:
            for request in requests:
                self.place(day, request)
            return
        for request in requests:
            for routed in rules.route(day, request):
                self.place(day, routed)

    def pay_due(self, day: int) -> None:
        """Pay the balances due today and collect today's sales receipts."""
        if day in self.balances_due:
            for po in self.balances_due.pop(day):
                self.pay_balance(day, po)
        self.collect_receipts(day)

    def collect_receipts(self, day: int) -> None:
        """Collect the sales receipts due today (each day's once: its total is then cleared)."""
        total = self.receipts_total[day]
        if total == 0:
            return
        self.receipts_total[day] = 0.0
        self.receivables -= total
        self.cash.move(EventKind.SALES_RECEIPT, total)
        if self.recorder.enabled:
            receipts = self.receipts_due[:, day]
            for k in np.flatnonzero(receipts):
                self.recorder.log(
                    day,
                    EventKind.SALES_RECEIPT,
                    sku=self.world.skus[k],
                    amount=float(receipts[k]),
                )

    def serve_demand(self, day: int) -> None:
        """Meet the day's demand from stock (backorders first), then book the sales: duty owed
        on them (direct fulfilment), receivables, fulfilment cost."""
        world = self.world
        stock = self.stock
        in_horizon = day < world.horizon_days
        if in_horizon:
            demand = self.demand[:, day]
        elif stock.backlog_open:
            demand = stock.no_demand
        else:
            return
        sold, short, duty_due = stock.sell(day, demand, in_horizon)
        if duty_due is not None:
            for k in np.flatnonzero(duty_due > 0):
                sku = world.skus[k]
                self.pay(day, EventKind.DUTY, -float(duty_due[k]), sku=sku, quantity=sold[k])
        total_revenue = float(np.dot(sold, world.selling_price))
        if total_revenue:
            self.receivables += total_revenue
            self.receipts_total[day + world.dso_days] += total_revenue
        fulfilment = sold * world.fulfilment_cost if world.fulfilment_cost else None
        if fulfilment is not None:
            self.cash.move(EventKind.FULFILMENT, -float(fulfilment.sum()))
        if self.recorder.enabled:
            revenue = sold * world.selling_price
            self.receipts_due[:, day + world.dso_days] += revenue
            self._log_demand(day, demand, sold, short, revenue, fulfilment)
        if world.dso_days == 0:  # paid on the day of sale: today's review has already run
            self.collect_receipts(day)

    def _log_demand(
        self,
        day: int,
        demand: np.ndarray,
        sold: np.ndarray,
        short: np.ndarray,
        revenue: np.ndarray,
        fulfilment: np.ndarray | None,
    ) -> None:
        world = self.world
        log = self.recorder.log
        for k in np.flatnonzero((demand > 0) | (sold > 0)):
            sku = world.skus[k]
            if demand[k] > 0:
                log(day, EventKind.DEMAND, sku=sku, quantity=demand[k])
            if sold[k] > 0:
                log(day, EventKind.SALE, sku=sku, quantity=sold[k], value=revenue[k])
            if short[k] > _EPS and not world.backorders:
                lost_value = short[k] * world.selling_price[k]
                log(day, EventKind.LOST_SALE, sku=sku, quantity=short[k], value=lost_value)
            elif short[k] > _EPS:
                log(day, EventKind.BACKORDER, sku=sku, quantity=short[k])
            if fulfilment is not None and fulfilment[k] > 0:
                log(day, EventKind.FULFILMENT, sku=sku, quantity=sold[k], amount=-fulfilment[k])

    def tally(self) -> None:
        """Sum the daily records over the horizon (after the run)."""
        self.pipeline.tally()
        self.stock.tally(self.demand, self.world.horizon_days, self.world.selling_price)

    def close_day(self, day: int) -> None:
        """Record the end-of-day state."""
        self.stock.close_day(day)
        self.cash_end[day] = self.cash.balance
        value_on_hand = float(self.stock.on_hand_value.sum())
        self.inventory_value_end[day] = value_on_hand + self.transit_value
        self.receivables_end[day] = self.receivables
        self.payables_end[day] = self.purchases_recognised - self.supplier_paid

    # ------------------------------------------------------------------ orders and suppliers

    def place(self, day: int, request: OrderRequest) -> PurchaseOrder:
        """Place a PO: deposit, one-offs, production time, ready and balance days."""
        world = self.world
        sku, supplier, lane, qty, unit_price, source = request
        info = self._suppliers[supplier]
        row = info.row
        offer = world.offers.get((supplier, sku)) or world.offer(supplier, sku)
        k = world.sku_index[sku]
        price = unit_price if unit_price is not None else offer.unit_price(qty)
        i = info.index
        factory = self.factories[i]
        po = PurchaseOrder(
            self._next_po, day, supplier, sku, k, lane, qty, price, source, factory.due_day(day)
        )
        self._next_po += 1
        value = qty * price
        self.pipeline.order(k, qty)
        self.supplier_pos[i] += 1
        if self._recording:
            self._log_po(day, EventKind.PO_PLACED, po, lane, qty, value)
        if (supplier, sku) not in self.tooled:
            self.tooled.add((supplier, sku))
            self._pay_po(day, EventKind.TOOLING, -offer.tooling_cost, po, lane, 0.0)
        if supplier not in self.qualified:
            self.qualified.add(supplier)
            if not row.qualified:
                self._pay_po(day, EventKind.QUALIFICATION, -row.qualification_cost, po, lane, 0.0)
        deposit = row.deposit_share * value
        po.deposit = deposit
        po.balance = value - deposit
        self.supplier_paid += deposit
        self._pay_po(day, EventKind.DEPOSIT, -deposit, po, lane, qty)

        working = self._lead[i].draw()
        factor, extra = 1.0, 0.0
        if supplier in self._shocked:
            factor, extra = self.disruptions.lead_time_shock(supplier, day)
        ready = factory.ready_day(day, round_half_up_int(working * factor + extra), qty)
        if ready is not None:
            balance_day = max(ready + row.balance_days_after_shipment, day)
            po.balance_day = balance_day
            if balance_day <= day:
                self.pay_balance(day, po)
            else:
                self.balances_due.setdefault(balance_day, []).append(po)
        self.start_lot(Lot(self.pipeline.new_lot_id(), po, qty, False, ready, lane))
        return po

    def start_lot(self, lot: Lot) -> None:
        """Put a lot into production (a lot that is never ready stays in the pipeline)."""
        if self.pipeline.start(lot):
            self._start_lot(lot)

    def pay_balance(self, day: int, po: PurchaseOrder) -> None:
        po.balance_paid = True
        self.supplier_paid += po.balance
        self._pay_po(day, EventKind.BALANCE, -po.balance, po, po.lane, po.quantity)

    def finish_lot(self, lot: Lot) -> DepartureKey | None:
        """Production done: QC, the remedy for rejects, the late check; good units to port.

        Returns:
            The key of the shipment this lot opens, or None if it joins one (or ships nothing).
        """
        po = lot.po
        day = lot.ready_day
        assert day is not None
        supplier = po.supplier
        info = self._suppliers[supplier]
        i = info.index
        units = lot.units
        rate = info.row.defect_rate
        if supplier in self._spiked:
            rate = self.disruptions.defect_rate(supplier, day, rate)
        rejected = 0.0
        if rate > 0:
            whole = math.floor(units + _EPS)
            rejected = float(self.streams.defects[i].binomial(whole, rate))
            rejected += (units - whole) * rate if units > whole else 0.0
        good = units - rejected
        self.pipeline.finished(lot, rejected)
        self.supplier_inspected[i] += units
        self.supplier_rejected[i] += rejected
        recording = self._recording
        if recording:
            self._log_po(day, EventKind.LOT_READY, po, lot.lane, units, 0.0)
        if not lot.remake:
            self.supplier_lots[i] += 1
            self.lead_times[i].append(day - po.day)
            late = po.due_day is None or day > po.due_day + self._late_tolerance + _EPS
            if late:
                self.supplier_late[i] += 1
                if recording:
                    self._log_po(day, EventKind.LATE, po, lot.lane, units, 0.0)
            if self._late_rule:
                self.rules.on_lot_finished(day, supplier, late)
        if self._pause_rule:
            self.rules.on_qc(day, supplier, units, rejected)
        if rejected > _EPS:
            if recording:
                value = rejected * po.unit_price
                self._log_po(day, EventKind.QC_REJECTED, po, lot.lane, rejected, value)
            if self._replace[i]:
                self._remake(day, lot, rejected)
            else:
                self._credit(day, po, rejected)
        return self.pipeline.to_port(lot, good)

    def _remake(self, day: int, lot: Lot, units: float) -> None:
        po = lot.po
        i = self._suppliers[po.supplier].index
        self.pipeline.remade(po.k, units)
        if self._recording:
            self.recorder.log(
                day, EventKind.REMAKE, sku=po.sku, supplier=po.supplier, po=po.id, quantity=units
            )
        working = self._lead[i].draw()
        ready = self.factories[i].ready_day(day, round_half_up_int(working), units)
        self.start_lot(Lot(self.pipeline.new_lot_id(), po, units, True, ready, po.lane))

    def _credit(self, day: int, po: PurchaseOrder, units: float) -> None:
        self.pipeline.credited(po.k, units)
        credit = units * po.unit_price
        if not po.balance_paid and po.balance_day is not None:
            po.balance -= credit
            return
        self.supplier_paid -= credit
        self.pay(
            day,
            EventKind.SUPPLIER_CREDIT,
            credit,
            sku=po.sku,
            supplier=po.supplier,
            po=po.id,
            quantity=units,
        )

    # ------------------------------------------------------------------ lanes

    def dispatch(self, key: DepartureKey) -> Shipment:
        """Lots leave together: freight and insurance paid, purchase recognised, transit drawn."""
        world = self.world
        supplier, lane_code, day = key
        items = self.pipeline.depart(key)
        lane = self._lanes[lane_code]
        volume_of = self._volume
        volumes = [units * volume_of[lot.po.k] for lot, units in items]
        total_volume = sum(volumes)
        direct = world.direct_fulfilment  # to the centre near the factory: no lane costs
        fixed = 0.0
        if not direct:
            fixed = lane.cost_per_shipment + lane.container_cost * containers_needed(
                lane.lane, total_volume
            )
        freight_of = world.variable_freight
        insurance_rate = 0.0 if direct else lane.insurance_rate
        recording = self._recording
        pay = self._pay_po
        shipped = []
        for (lot, units), volume in zip(items, volumes, strict=True):
            po = lot.po
            share = volume / total_volume if total_volume > 0 else 1.0 / len(items)
            value = units * po.unit_price
            variable = 0.0 if direct else freight_of[(lane_code, po.sku)] * units
            freight = variable + fixed * share
            insurance = insurance_rate * (value + variable)
            if recording:
                self._log_po(day, EventKind.SHIPPED, po, lane_code, units, value)
            pay(day, EventKind.FREIGHT, -freight, po, lane_code, units)
            pay(day, EventKind.INSURANCE, -insurance, po, lane_code, units)
            self.purchases_recognised += value
            self.transit_value += value + freight + insurance
            shipped.append(ShippedLot(lot, units, value, variable, freight, insurance))
        arrival = day + lane_transit_days(self.streams.transit[lane.index], lane)
        if self._port_delays:
            arrival += self.disruptions.port_delay_days(lane.origin_port, lane.mode, day, arrival)
        if direct:
            arrival = day
        shipment = Shipment(supplier, lane_code, day, arrival, shipped)
        self.pipeline.sail(shipment)
        return shipment

    def _duty_row(self, sku: str, country: str, day: int) -> Duty | None:
        """``world.duty_row`` through the world's step function of the SKU and origin."""
        days, rows = self.world.duty_rows(sku, country)
        return rows[bisect_right(days, day)]

    def arrive(self, shipment: Shipment) -> None:
        """A shipment arrives: duty and customs fee paid, goods into stock at landed cost."""
        day = shipment.arrival_day
        self.pipeline.unload(shipment)
        lane = self._lanes[shipment.lane]
        lane_code = shipment.lane
        country = self._suppliers[shipment.supplier].row.country
        cif = self._cif
        lots = shipment.lots
        taxed = not lane.duty_included
        rows = [self._duty_row(item.lot.po.sku, country, day) for item in lots] if taxed else None
        fee = 0.0
        direct = self.world.direct_fulfilment
        if rows is not None and not direct:
            fee = max((row.fee_per_shipment for row in rows if row is not None), default=0.0)
        volume_of = self._volume
        volumes = [item.units * volume_of[item.lot.po.k] for item in lots]
        total_volume = sum(volumes)
        receive = self.stock.receive
        recording = self._recording
        for j, item in enumerate(lots):
            po = item.lot.po
            units = item.units
            duty = 0.0
            if rows is not None:
                row = rows[j]
                extra = None
                if self._tariffs:
                    extra = self.disruptions.extra_tariff(country, po.sku, day)
                if extra is None:
                    extra = row.extra_tariff_rate if row is not None else 0.0
                rate = (row.duty_rate if row is not None else 0.0) + extra
                base = item.value + (item.variable_freight + item.insurance if cif else 0.0)
                duty = rate * base
            volume = volumes[j]
            share = volume / total_volume if total_volume > 0 else 1.0 / len(lots)
            owed = 0.0
            if direct:  # owed now, paid as the units are sold
                owed, duty = duty, 0.0
            landed = item.value + item.freight + item.insurance + duty + fee * share
            self._pay_po(day, EventKind.DUTY, -duty, po, lane_code, units)
            receive(po.k, units, landed, owed)
            self.transit_value -= item.value + item.freight + item.insurance
            if recording:
                self._log_po(day, EventKind.ARRIVED, po, lane_code, units, landed)
        single = lots[0].lot.po.sku if len(lots) == 1 else ""
        self.pay(
            day,
            EventKind.CUSTOMS_FEE,
            -fee,
            sku=single,
            supplier=shipment.supplier,
            lane=lane_code,
        )

    def arrive_opening_transit(self, day: int, k: int, supplier: str, units: float) -> None:
        """Opening in-transit goods arrive (no cash; valued at the SKU's unit value)."""
        self.stock.receive_opening(k, units, units * self.world.unit_value[k])
        self.pipeline.unload_opening(day, k, units)
        self.recorder.log(
            day, EventKind.ARRIVED, sku=self.world.skus[k], supplier=supplier, quantity=units
        )

    # ------------------------------------------------------------------ what others read

    # The measures read a finished replication through these (``vectorized.views`` gives a
    # vectorized run the same attributes); expediting reads the stock and lots in production
    # through them (``rules.StockView``).

    def pipeline_by_stage(self) -> dict[str, np.ndarray]:
        """``Pipeline.by_stage``: units not yet arrived nor credited, per stage and SKU."""
        return self.pipeline.by_stage()

    @property
    def on_hand(self) -> np.ndarray:
        return self.stock.on_hand

    @property
    def backlog(self) -> np.ndarray:
        return self.stock.backlog

    @property
    def on_hand_end(self) -> np.ndarray:
        return self.stock.on_hand_end

    @property
    def backlog_end(self) -> np.ndarray:
        return self.stock.backlog_end

    @property
    def demand_units(self) -> np.ndarray:
        return self.stock.demand_units

    @property
    def served_from_stock(self) -> np.ndarray:
        return self.stock.served_from_stock

    @property
    def stockout_days(self) -> np.ndarray:
        return self.stock.stockout_days

    @property
    def lost_units(self) -> np.ndarray:
        return self.stock.lost_units

    @property
    def sold_units(self) -> np.ndarray:
        return self.stock.sold_units

    @property
    def revenue(self) -> np.ndarray:
        return self.stock.revenue

    @property
    def cogs(self) -> np.ndarray:
        return self.stock.cogs

    @property
    def landed_total(self) -> float:
        return self.stock.landed_total

    @property
    def landed_units(self) -> float:
        return self.stock.landed_units

    @property
    def units_ordered(self) -> np.ndarray | list[float]:
        return self.pipeline.units_ordered

    @property
    def units_received(self) -> np.ndarray | list[float]:
        return self.pipeline.units_received

    @property
    def units_rejected(self) -> np.ndarray | list[float]:
        return self.pipeline.units_rejected

    @property
    def units_remade(self) -> np.ndarray | list[float]:
        return self.pipeline.units_remade

    @property
    def opening_transit(self) -> np.ndarray:
        return self.pipeline.opening_transit

    @property
    def in_production(self) -> list[dict[int, Lot]]:
        return self.pipeline.in_production

    @property
    def incoming(self) -> list[dict[int, float]]:
        return self.pipeline.incoming

    @property
    def expedited_open(self) -> np.ndarray:
        return self.pipeline.expedited_open

    def log_disruption(self, disruption: RealisedDisruption, start: bool) -> None:
        """Log a disruption's start or end."""
        d = disruption.disruption
        self.recorder.log(
            disruption.start if start else disruption.end,
            EventKind.DISRUPTION_START if start else EventKind.DISRUPTION_END,
            sku=getattr(d, "sku", ""),
            supplier=getattr(d, "supplier", ""),
            lane=getattr(d, "origin_port", ""),
            po=disruption.index,
            quantity=min(disruption.end, self.world.sim_days) - disruption.start,
        )


def _disruption_kinds(
    disruptions: RealisedDisruptions,
) -> tuple[frozenset[str], frozenset[str], bool, bool]:
    """Suppliers with a lead-time shock, suppliers with a defect spike, whether any port delay
    and any tariff change happen: without them their look-ups are skipped."""
    shocked, spiked = set(), set()
    for r in disruptions.items:
        d = r.disruption
        if isinstance(d, LeadTimeShock):
            shocked.add(d.supplier)
        elif isinstance(d, DefectSpike):
            spiked.add(d.supplier)
    port_delays = bool(disruptions.of_kind(PortDelay))
    tariffs = bool(disruptions.of_kind(TariffChange))
    return frozenset(shocked), frozenset(spiked), port_delays, tariffs
