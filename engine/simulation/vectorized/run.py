"""The vectorized replication: every replication of a chunk as arrays, day by day.

Each day runs the SimPy engine's steps in its order (``engine.simulation.processes``):

1. lots that finish production today are inspected (QC rejects ``Binomial(units, rate)``,
   remade or credited), the good units of one supplier and lane leave together as one
   shipment (freight, insurance, purchase recognised, one transit draw, port delays), and
   shipments due today arrive (duty, customs fee, stock at landed cost);
2. the review: balances and sales receipts due today, the pauses that end, the expedite rule
   (``expedite``), then the driver's POs (tooling and qualification with the first PO,
   deposit, production time with lead-time shocks, the capacity queue and calendar, the
   balance day); lots ready today run step 1 again;
3. demand (backorders first, lost sales or backorders), fulfilment cost, receivables, and
   the end-of-day records.

Under direct fulfilment a shipment reaches the centre near the factory on its ship day with
no lane freight, insurance, transit or customs fee, and its duty is owed, then paid as units
sell (the SKU's owed duty x sold / on hand), into the cost of goods sold.

Money follows ``engine.simulation.state``'s rules; cash movements are booked per kind and
day, so the cash curve is the opening cash plus their running sum. The random numbers come
from the one generator passed in (the engine's distributions, not its per-entity streams).
"""

from __future__ import annotations

from bisect import bisect_right
from functools import cached_property

import numpy as np

from engine.scenario.schema import CustomsBase, DefectRemedy
from engine.simulation.events import EventKind
from engine.simulation.policies import Driver
from engine.simulation.vectorized.demand import DemandDraws
from engine.simulation.vectorized.disruptions import DisruptionDraws, draw_disruptions
from engine.simulation.vectorized.expedite import VectorExpedite
from engine.simulation.vectorized.factories import Factories, round_half_up
from engine.simulation.vectorized.orders import OrderBatch, Orders
from engine.simulation.vectorized.rules import VectorRules
from engine.simulation.vectorized.tables import Buckets, Table
from engine.simulation.world import World

__all__ = ["CASH_KINDS_PLAYED", "VectorRun"]

_EPS = 1e-9

CASH_KINDS_PLAYED: tuple[EventKind, ...] = (
    EventKind.TOOLING,
    EventKind.QUALIFICATION,
    EventKind.DEPOSIT,
    EventKind.BALANCE,
    EventKind.SUPPLIER_CREDIT,
    EventKind.FREIGHT,
    EventKind.INSURANCE,
    EventKind.DUTY,
    EventKind.CUSTOMS_FEE,
    EventKind.FULFILMENT,
    EventKind.SALES_RECEIPT,
)
"""Every cash movement the engine books, booked here per kind, replication and day."""


def _add(target: np.ndarray, row: np.ndarray, column: np.ndarray, values: np.ndarray) -> None:
    """``target[row, column] += values`` with repeated cells summed (``np.add.at``, faster)."""
    cell = row * target.shape[1] + column
    target += np.bincount(cell, weights=values, minlength=target.size).reshape(target.shape)


class VectorRun:
    """``R`` replications of one driver on a world, played as arrays.

    Args:
        world: The compiled scenario.
        driver: A plan or a policy, with its decision rules.
        replications: How many replications.
        rng: The generator every draw comes from.
    """

    def __init__(
        self, world: World, driver: Driver, replications: int, rng: np.random.Generator
    ) -> None:
        self.world, self.n = world, replications
        streams = rng.spawn(5)
        self.rng = streams[0]  # production times and QC
        self._transit_rng = streams[1]
        disruption_rng, demand_rng = streams[2], streams[3]
        self._demand_rng = demand_rng
        r, k, days = replications, len(world.skus), world.sim_days
        m = len(world.suppliers)
        self.days = days
        self.draws: DisruptionDraws = draw_disruptions(
            world.scenario,
            disruption_rng,
            replications,
            world.horizon_days,
            world.options.random_disruption_lengths,
        )
        self.factories = Factories(world, self.draws)
        self.demand = DemandDraws(world, replications)
        self.orders = Orders(world, driver, replications)
        self.rules = VectorRules(driver.rules, world, replications)
        self._constants()
        self.expedite = None
        if driver.rules.expedite is not None:
            self.expedite = VectorExpedite(
                driver.rules.expedite, world, replications, self.variable_freight
            )

        self.on_hand = np.tile(world.opening_stock, (r, 1)).astype(float)
        self.on_hand_value = np.tile(world.opening_stock * world.unit_value, (r, 1))
        self.backlog = np.zeros((r, k))
        self.backlog_open = np.zeros(r, dtype=bool)
        self.pipeline = np.zeros((r, k))
        self.opening_transit = np.zeros(k)
        for _, sku, _, units in world.in_transit:
            self.pipeline[:, sku] += units
            self.opening_transit[sku] += units
        self.transit_value = np.zeros(r)
        self.duty_owed = np.zeros((r, k))  # direct fulfilment: duty due as units are sold
        self.tooled = np.zeros((r, m, k), dtype=bool)
        self.qualified = np.zeros((r, m), dtype=bool)

        self.pos = Table(
            dict(rep=np.int64, sku=np.int64, supplier=np.int64, lane=np.int64, day=np.int64,
                 quantity=float, unit_price=float, due=np.int64, balance=float,
                 balance_day=np.int64, balance_paid=bool)
        )  # fmt: skip
        self.lots = Table(
            dict(po=np.int64, units=float, remake=bool, ready=np.int64, lane=np.int64,
                 expedited=bool)
        )  # fmt: skip
        self.shipped = Table(
            dict(lot=np.int64, shipment=np.int64, units=float, value=float, variable=float,
                 freight=float, insurance=float)
        )  # fmt: skip
        self.shipments = Table(
            dict(rep=np.int64, supplier=np.int64, lane=np.int64, arrival=np.int64)
        )
        self.ready_on, self.balance_on, self.arrive_on = Buckets(), Buckets(), Buckets()

        # cash per kind, receipts due, purchases recognised (per replication and day)
        self.flows = {kind: np.zeros((r, days)) for kind in CASH_KINDS_PLAYED}
        self.inflows = np.zeros(r)  # every movement in, one by one (a balance can turn in)
        self.outflows = np.zeros(r)
        self.receipts_due = np.zeros((r, days + world.dso_days + 1))
        self.revenue_day = np.zeros((r, days))
        self.purchases_day = np.zeros((r, days))
        self.purchases_horizon = np.zeros(r)
        self.landed_total = np.zeros(r)
        self.landed_units = np.zeros(r)

        # units per replication and SKU
        self.units_received = np.zeros((r, k))
        self.units_rejected = np.zeros((r, k))
        self.units_remade = np.zeros((r, k))
        self.demand_units = np.zeros((r, k))
        self.served = np.zeros((r, k))
        self.short_days = np.zeros((r, k))
        self.lost_units = np.zeros((r, k))
        self.sold_units = np.zeros((r, k))
        self.cogs = np.zeros((r, k))

        # supplier KPIs per replication and supplier; lead times of finished PO lots
        self.inspected = np.zeros((r, m))
        self.rejected = np.zeros((r, m))
        self.late = np.zeros((r, m))
        self.finished = np.zeros((r, m))
        self.lead_rep: list[np.ndarray] = []
        self.lead_supplier: list[np.ndarray] = []
        self.lead_days: list[np.ndarray] = []

        # end-of-day records
        self.on_hand_end = np.zeros((days, r, k))
        self.backlog_end = np.zeros((days, r, k))
        self.inventory_value_end = np.zeros((r, days))

    def _constants(self) -> None:
        world = self.world
        scenario = world.scenario
        lanes = [world.lanes[code] for code in world.lane_index]
        suppliers = world.suppliers
        self.variable_freight = np.array(
            [[world.variable_freight[(lane.lane, sku)] for sku in world.skus] for lane in lanes]
        )
        self.lane_shipment_cost = np.array([lane.cost_per_shipment for lane in lanes])
        self.lane_container_cost = np.array([lane.container_cost for lane in lanes])
        self.lane_container_cbm = np.array([lane.container_capacity_cbm for lane in lanes])
        self.lane_insurance = np.array([lane.insurance_rate for lane in lanes])
        self.lane_taxed = np.array([not lane.duty_included for lane in lanes])
        self.lane_port = np.array([lane.origin_port for lane in lanes], dtype=object)
        self.lane_mode = np.array([lane.mode.value for lane in lanes], dtype=object)
        info = [world.lane_info[lane.lane] for lane in lanes]
        self.lane_mu = np.array([i.transit_mu for i in info])
        self.lane_sigma = np.array([i.transit_sigma for i in info])
        self.lane_mean = np.array([i.transit_mean for i in info])
        self.deposit_share = np.array([s.row.deposit_share for s in suppliers])
        self.balance_days = np.array([s.row.balance_days_after_shipment for s in suppliers])
        self.defect_rate = np.array([s.row.defect_rate for s in suppliers])
        self.replace = np.array([s.row.defect_remedy is DefectRemedy.REPLACE for s in suppliers])
        self.qualification_cost = np.array(
            [0.0 if s.row.qualified else s.row.qualification_cost for s in suppliers]
        )
        self.supplier_code = np.array([s.code for s in suppliers], dtype=object)
        self.countries = sorted({s.row.country for s in suppliers})
        self.supplier_country = np.array([self.countries.index(s.row.country) for s in suppliers])
        self.country_code = np.array(self.countries, dtype=object)
        self.sku_code = np.array(world.skus, dtype=object)
        self.tooling = np.zeros((len(suppliers), len(world.skus)))
        for (supplier, sku), offer in world.offers.items():
            self.tooling[world.supplier_index[supplier], world.sku_index[sku]] = offer.tooling_cost
        self.cif = scenario.finance.customs_base is CustomsBase.CIF
        self.duty_change_days = sorted(
            {day for days, _ in world.duty_schedule.values() for day in days}
        )
        self._duty_segment = -1
        self._duty_table = self._duty_rows_on(0)  # replaced on the first arrival day
        self.any_fee = any(d.fee_per_shipment > 0 for d in scenario.duties)
        self.late_tolerance = world.options.late_tolerance_days
        self.has_tariffs = any(d.kind == "tariff_change" for d in scenario.disruptions)
        self.has_port_delays = any(d.kind == "port_delay" for d in scenario.disruptions)
        self.has_defect_spikes = any(d.kind == "defect_spike" for d in scenario.disruptions)
        self.has_shocks = any(d.kind == "lead_time_shock" for d in scenario.disruptions)
        self.direct = world.direct_fulfilment

    # ------------------------------------------------------------------ the days

    def run(self) -> VectorRun:
        """Play every day."""
        for day in range(self.days):
            self._opening_transit(day)
            self._settle(day)
            self._review(day)
            self._settle(day)
            self._serve(day)
            self._close(day)
        return self

    def book(self, kind: EventKind, day: int, rep: np.ndarray, amount: np.ndarray) -> None:
        """A signed cash movement of each replication in ``rep`` on ``day``."""
        self.flows[kind][:, day] += np.bincount(rep, weights=amount, minlength=self.n)
        self.inflows += np.bincount(rep, weights=np.maximum(amount, 0.0), minlength=self.n)
        self.outflows += np.bincount(rep, weights=np.maximum(-amount, 0.0), minlength=self.n)

    def _opening_transit(self, day: int) -> None:
        world = self.world
        for arrival, k, _, units in world.in_transit:
            if arrival == day:
                self.on_hand[:, k] += units
                self.on_hand_value[:, k] += units * world.unit_value[k]
                self.pipeline[:, k] -= units

    def _settle(self, day: int) -> None:
        """Lots ready today, their shipments, and arrivals, until nothing more is due today."""
        while self.ready_on.has(day) or self.arrive_on.has(day):
            ready = self.ready_on.take(day)
            if ready.size:
                self._finish(day, ready)
            arriving = self.arrive_on.take(day)
            if arriving.size:
                self._arrive(day, arriving)

    # ------------------------------------------------------------------ orders

    def _review(self, day: int) -> None:
        due = self.balance_on.take(day)
        due = due[~self.pos.balance_paid[due]]
        if due.size:
            self._pay_balance(day, due)
        self._collect(day)
        if self.rules.paused_until:
            self.rules.start_of_day(day)
        if self.expedite is not None:
            self.expedite.review(day, self)
        batch = self.orders.on(day, self.on_hand, self.pipeline, self.backlog)
        if batch is not None:
            self._place(day, batch)

    def _collect(self, day: int) -> None:
        """The sales receipts due today."""
        receipts = self.receipts_due[:, day]
        self.flows[EventKind.SALES_RECEIPT][:, day] += receipts
        self.inflows += receipts
        self.receipts_due[:, day] = 0.0

    def _pay_balance(self, day: int, po: np.ndarray) -> None:
        self.pos.column("balance_paid")[po] = True
        self.book(EventKind.BALANCE, day, self.pos.rep[po], -self.pos.balance[po])

    def _place(self, day: int, batch: OrderBatch) -> None:
        if self.rules.active:
            batch = self.rules.route(batch)
            if batch.rep.size == 0:
                return
        rep, sku, supplier = batch.rep, batch.sku, batch.supplier
        qty, price = batch.quantity, batch.unit_price
        n, k = self.n, self.on_hand.shape[1]
        value = qty * price
        self.pipeline += np.bincount(rep * k + sku, weights=qty, minlength=n * k).reshape(n, k)
        # one-offs with the first PO of an offer (tooling) and of a supplier (qualification)
        key = (rep * self.tooled.shape[1] + supplier) * k + sku
        new = ~self.tooled[rep, supplier, sku]
        _, first = np.unique(np.where(new, key, -1), return_index=True)
        first = first[new[first]]
        self.tooled[rep[first], supplier[first], sku[first]] = True
        self.book(EventKind.TOOLING, day, rep[first], -self.tooling[supplier[first], sku[first]])
        new = ~self.qualified[rep, supplier]
        _, first = np.unique(
            np.where(new, rep * self.qualified.shape[1] + supplier, -1), return_index=True
        )
        first = first[new[first]]
        self.qualified[rep[first], supplier[first]] = True
        self.book(
            EventKind.QUALIFICATION, day, rep[first], -self.qualification_cost[supplier[first]]
        )
        deposit = self.deposit_share[supplier] * value
        self.book(EventKind.DEPOSIT, day, rep, -deposit)

        working = self.factories.working_days(self.rng, supplier)
        if self.has_shocks:
            for i in np.unique(supplier):
                mine = supplier == i
                factor, extra = self.draws.lead_time_shock(self.supplier_code[i], rep[mine], day)
                working[mine] = working[mine] * factor + extra
        ready = self.factories.ready_days(rep, supplier, day, round_half_up(working), qty)
        due = self.factories.due_days(day)[supplier]
        balance_day = np.where(ready >= 0, np.maximum(ready + self.balance_days[supplier], day), -1)
        po = self.pos.append(
            rep=rep, sku=sku, supplier=supplier, lane=batch.lane, day=np.full(rep.size, day),
            quantity=qty, unit_price=price, due=due, balance=value - deposit,
            balance_day=balance_day, balance_paid=np.zeros(rep.size, dtype=bool),
        )  # fmt: skip
        now = (balance_day >= 0) & (balance_day <= day)
        if now.any():
            self._pay_balance(day, po[now])
        later = balance_day > day
        self.balance_on.file(balance_day[later], po[later])
        self._start(po, qty, np.zeros(rep.size, dtype=bool), ready)

    def _start(
        self, po: np.ndarray, units: np.ndarray, remake: np.ndarray, ready: np.ndarray
    ) -> None:
        lots = self.lots.append(
            po=po, units=units, remake=remake, ready=ready, lane=self.pos.lane[po],
            expedited=np.zeros(po.size, dtype=bool),
        )  # fmt: skip
        made = (ready >= 0) & (ready < self.days)
        self.ready_on.file(ready[made], lots[made])
        if self.expedite is not None:
            self.expedite.started(lots, ready)

    # ------------------------------------------------------------------ lots and shipments

    def _finish(self, day: int, lot: np.ndarray) -> None:
        """QC, the remedy for rejects, the late check; good units leave together."""
        pos, lots = self.pos, self.lots
        po = lots.po[lot]
        rep, sku, supplier = pos.rep[po], pos.sku[po], pos.supplier[po]
        units = lots.units[lot]
        rate = self.defect_rate[supplier]
        if self.has_defect_spikes:
            rate = self.draws.defect_rate(self.supplier_code[supplier], rep, day, rate)
        rejected = np.zeros(units.size)
        inspected = np.flatnonzero(rate > 0)
        if inspected.size:
            part, p = units[inspected], rate[inspected]
            whole = np.floor(part + _EPS)
            drawn = self.rng.binomial(whole.astype(np.int64), p).astype(float)
            rejected[inspected] = drawn + np.where(part > whole, (part - whole) * p, 0.0)
        good = units - rejected
        _add(self.inspected, rep, supplier, units)
        _add(self.rejected, rep, supplier, rejected)
        first = ~lots.remake[lot]
        if first.any():
            due = pos.due[po][first]
            late = (due < 0) | (day > due + self.late_tolerance + _EPS)
            _add(self.finished, rep[first], supplier[first], np.ones(late.size))
            _add(self.late, rep[first], supplier[first], late.astype(float))
            self.rules.lots_finished(rep[first], supplier[first], late)
            self.lead_rep.append(rep[first])
            self.lead_supplier.append(supplier[first])
            self.lead_days.append(day - pos.day[po][first])
        self.rules.lots_inspected(day, rep, supplier, units, rejected)
        bad = rejected > _EPS
        if bad.any():
            _add(self.units_rejected, rep[bad], sku[bad], rejected[bad])
            remade = bad & self.replace[supplier]
            if remade.any():
                self._remake(day, po[remade], rejected[remade])
            credited = bad & ~self.replace[supplier]
            if credited.any():
                self._credit(day, po[credited], rejected[credited])
        leaving = good > _EPS
        if self.expedite is not None:
            gone = lots.expedited[lot] & ~leaving
            self.expedite.closed(rep[gone], sku[gone])
        if leaving.any():
            self._dispatch(day, lot[leaving], good[leaving])

    def _remake(self, day: int, po: np.ndarray, units: np.ndarray) -> None:
        pos = self.pos
        rep, supplier = pos.rep[po], pos.supplier[po]
        _add(self.units_remade, rep, pos.sku[po], units)
        working = round_half_up(self.factories.working_days(self.rng, supplier))
        ready = self.factories.ready_days(rep, supplier, day, working, units)
        self._start(po, units, np.ones(po.size, dtype=bool), ready)

    def _credit(self, day: int, po: np.ndarray, units: np.ndarray) -> None:
        pos = self.pos
        rep = pos.rep[po]
        _add(self.pipeline, rep, pos.sku[po], -units)
        credit = units * pos.unit_price[po]
        open_balance = ~pos.balance_paid[po] & (pos.balance_day[po] >= 0)
        np.subtract.at(pos.column("balance"), po[open_balance], credit[open_balance])
        refund = ~open_balance
        self.book(EventKind.SUPPLIER_CREDIT, day, rep[refund], credit[refund])

    def _dispatch(self, day: int, lot: np.ndarray, units: np.ndarray) -> None:
        """Lots of one replication, supplier and lane ready today leave as one shipment."""
        pos = self.pos
        po = self.lots.po[lot]
        rep, sku, supplier = pos.rep[po], pos.sku[po], pos.supplier[po]
        lane = self.lots.lane[lot]  # the PO's, or the one it was expedited to
        key = (rep * len(self.world.suppliers) + supplier) * len(self.lane_mean) + lane
        keys, group = np.unique(key, return_inverse=True)
        count = keys.size
        volume = units * self.world.unit_volume[sku]
        total_volume = np.bincount(group, weights=volume, minlength=count)
        lots_in = np.bincount(group, minlength=count)
        g_lane = np.zeros(count, dtype=np.int64)
        g_lane[group] = lane
        g_rep = np.zeros(count, dtype=np.int64)
        g_rep[group] = rep
        g_supplier = np.zeros(count, dtype=np.int64)
        g_supplier[group] = supplier
        capacity = self.lane_container_cbm[g_lane]
        ratio = total_volume / np.where(capacity > 0, capacity, 1.0)
        containers = np.where(
            (capacity > 0) & (total_volume > 0),
            np.ceil(ratio - _EPS * np.maximum(1.0, np.abs(ratio))),
            0.0,
        )
        fixed = self.lane_shipment_cost[g_lane] + self.lane_container_cost[g_lane] * containers
        if self.direct:  # to the centre near the factory: no lane costs, no transit
            fixed = np.zeros(count)
        share = np.where(
            total_volume[group] > 0,
            volume / np.where(total_volume[group] > 0, total_volume[group], 1.0),
            1.0 / lots_in[group],
        )
        value = units * pos.unit_price[po]
        variable = self.variable_freight[lane, sku] * units
        insurance_rate = self.lane_insurance[lane]
        if self.direct:
            variable, insurance_rate = np.zeros(units.size), np.zeros(units.size)
        freight = variable + fixed[group] * share
        insurance = insurance_rate * (value + variable)
        self.book(EventKind.FREIGHT, day, rep, -freight)
        self.book(EventKind.INSURANCE, day, rep, -insurance)
        self.purchases_day[:, day] += np.bincount(rep, weights=value, minlength=self.n)
        if day < self.world.horizon_days:
            self.purchases_horizon += np.bincount(rep, weights=value, minlength=self.n)
        self.transit_value += np.bincount(
            rep, weights=value + freight + insurance, minlength=self.n
        )
        arrival = np.full(count, day, dtype=np.int64)
        if not self.direct:
            z = self._transit_rng.standard_normal(count)
            sigma = self.lane_sigma[g_lane]
            transit = np.where(
                sigma > 0,
                round_half_up(np.exp(self.lane_mu[g_lane] + sigma * z)),
                round_half_up(self.lane_mean[g_lane]),
            ).astype(np.int64)
            arrival = day + transit
            if self.has_port_delays:
                arrival = arrival + self.draws.port_delay_days(
                    self.lane_port[g_lane], self.lane_mode[g_lane], g_rep, day, arrival
                )
        shipment = self.shipments.append(
            rep=g_rep, supplier=g_supplier, lane=g_lane, arrival=arrival
        )
        rows = self.shipped.append(
            lot=lot, shipment=shipment[group], units=units, value=value, variable=variable,
            freight=freight, insurance=insurance,
        )  # fmt: skip
        on_time = arrival[group] < self.days
        self.arrive_on.file(arrival[group][on_time], rows[on_time])
        if self.expedite is not None:
            self.expedite.shipped(rows, arrival[group])

    def _duty_rows(self, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``[K, C]`` duty rate, extra tariff, customs fee and whether a row is in effect for
        goods arriving on ``day`` (``World.duty_rows``; worked out again only when a row's
        ``effective_from`` is passed)."""
        segment = bisect_right(self.duty_change_days, day)
        if self._duty_segment != segment:
            self._duty_table = self._duty_rows_on(day)
            self._duty_segment = segment
        return self._duty_table

    def _duty_rows_on(self, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        k, c = len(self.world.skus), len(self.countries)
        rate, extra, fee = np.zeros((k, c)), np.zeros((k, c)), np.zeros((k, c))
        found = np.zeros((k, c), dtype=bool)
        for i, sku in enumerate(self.world.skus):
            for j, country in enumerate(self.countries):
                days, rows = self.world.duty_rows(sku, country)
                row = rows[bisect_right(days, day)]
                if row is not None:
                    rate[i, j], extra[i, j], fee[i, j] = (
                        row.duty_rate,
                        row.extra_tariff_rate,
                        row.fee_per_shipment,
                    )
                    found[i, j] = True
        return rate, extra, fee, found

    def _arrive(self, day: int, rows: np.ndarray) -> None:
        """Shipments arrive: duty and customs fee, goods into stock at landed cost."""
        shipped, pos = self.shipped, self.pos
        po = self.lots.po[shipped.lot[rows]]
        rep, sku, supplier = pos.rep[po], pos.sku[po], pos.supplier[po]
        units, value = shipped.units[rows], shipped.value[rows]
        freight, insurance = shipped.freight[rows], shipped.insurance[rows]
        shipment = shipped.shipment[rows]
        taxed = self.lane_taxed[self.shipments.lane[shipment]]
        country = self.supplier_country[supplier]
        rate_of, extra_of, fee_of, found_of = self._duty_rows(day)
        row_found = found_of[sku, country] & taxed
        extra = np.where(row_found, extra_of[sku, country], 0.0)
        if self.has_tariffs:
            changed, tariff = self.draws.extra_tariff(
                self.country_code[country], self.sku_code[sku], rep, day
            )
            extra = np.where(changed, tariff, extra)
        rate = np.where(row_found, rate_of[sku, country], 0.0) + extra
        base = value + (shipped.variable[rows] + insurance if self.cif else 0.0)
        duty = np.where(taxed, rate * base, 0.0)
        n, k = self.n, self.on_hand.shape[1]
        cell = rep * k + sku
        if self.direct:  # owed now, paid as the units are sold
            self.duty_owed += np.bincount(cell, weights=duty, minlength=n * k).reshape(n, k)
            duty = np.zeros(duty.size)
        keys, group = np.unique(shipment, return_inverse=True)
        fee = np.zeros(keys.size)
        if self.any_fee and not self.direct:
            np.maximum.at(fee, group, np.where(row_found, fee_of[sku, country], 0.0))
        volume = units * self.world.unit_volume[sku]
        total_volume = np.bincount(group, weights=volume, minlength=keys.size)
        lots_in = np.bincount(group, minlength=keys.size)
        share = np.where(
            total_volume[group] > 0,
            volume / np.where(total_volume[group] > 0, total_volume[group], 1.0),
            1.0 / lots_in[group],
        )
        landed = value + freight + insurance + duty + fee[group] * share
        self.book(EventKind.DUTY, day, rep, -duty)
        g_rep = self.shipments.rep[keys]
        self.book(EventKind.CUSTOMS_FEE, day, g_rep, -fee)
        received = np.bincount(cell, weights=units, minlength=n * k).reshape(n, k)
        self.on_hand += received
        self.on_hand_value += np.bincount(cell, weights=landed, minlength=n * k).reshape(n, k)
        self.pipeline -= received
        self.units_received += received
        self.transit_value -= np.bincount(rep, weights=value + freight + insurance, minlength=n)
        self.landed_total += np.bincount(rep, weights=landed, minlength=n)
        self.landed_units += np.bincount(rep, weights=units, minlength=n)
        if self.expedite is not None:
            expedited = self.lots.expedited[shipped.lot[rows]]
            self.expedite.closed(rep[expedited], sku[expedited])

    # ------------------------------------------------------------------ demand

    def _serve(self, day: int) -> None:
        """Backorders first, then today's demand (``Replication.serve_demand``)."""
        world = self.world
        in_horizon = day < world.horizon_days
        if in_horizon:
            demand = self.demand.day(
                self._demand_rng, day, self.draws.demand_multiplier(world.skus, day)
            )
            active = np.ones(self.n, dtype=bool)
        else:
            active = self.backlog_open
            if not active.any():
                return
            demand = np.zeros_like(self.on_hand)
        on_hand, backlog = self.on_hand, self.backlog
        unit_cost = self.on_hand_value / np.maximum(on_hand, _EPS)
        from_backlog = np.minimum(on_hand, backlog)
        served = np.minimum(on_hand - from_backlog, demand)
        sold = np.where(active[:, None], from_backlog + served, 0.0)
        short = demand - served
        new_backlog = backlog - from_backlog
        if world.backorders:
            new_backlog = new_backlog + short
        self.backlog = np.where(active[:, None], new_backlog, backlog)
        if world.backorders:
            self.backlog_open = np.count_nonzero(self.backlog, axis=1) > 0
        if self.direct:
            self._pay_owed_duty(day, sold, on_hand, in_horizon)
        self.on_hand = on_hand - sold
        self.on_hand_value = np.where(active[:, None], self.on_hand * unit_cost, self.on_hand_value)
        revenue = sold @ world.selling_price
        self.revenue_day[:, day] = revenue
        self.receipts_due[:, day + world.dso_days] += revenue
        if world.fulfilment_cost:
            fulfilment = (sold * world.fulfilment_cost).sum(axis=1)
            self.flows[EventKind.FULFILMENT][:, day] -= fulfilment
            self.outflows += fulfilment
        if world.dso_days == 0:  # paid on the day of sale
            self._collect(day)
        if in_horizon:
            self.demand_units += demand
            self.served += served
            self.short_days += short > _EPS
            if not world.backorders:
                self.lost_units += short
            self.sold_units += sold
            self.cogs += sold * unit_cost

    def _pay_owed_duty(
        self, day: int, sold: np.ndarray, on_hand: np.ndarray, in_horizon: bool
    ) -> None:
        """Direct fulfilment: the duty owed on the units sold today (the SKU's owed duty times
        sold / on hand before the sale) is paid and joins the cost of goods sold."""
        due = np.minimum(self.duty_owed * sold / np.maximum(on_hand, _EPS), self.duty_owed)
        self.duty_owed -= due
        paid = due.sum(axis=1)
        self.flows[EventKind.DUTY][:, day] -= paid
        self.outflows += paid
        if in_horizon:
            self.cogs += due

    def _close(self, day: int) -> None:
        self.on_hand_end[day] = self.on_hand
        self.backlog_end[day] = self.backlog
        self.inventory_value_end[:, day] = self.on_hand_value.sum(axis=1) + self.transit_value

    # ------------------------------------------------------------------ after the run

    @cached_property
    def stages(self) -> dict[str, np.ndarray]:
        """``[R, K]`` units of POs not arrived nor credited, by stage at the end (after
        ``run``)."""
        n, k = self.n, self.on_hand.shape[1]
        lots, pos = self.lots, self.pos
        rep, sku = pos.rep[lots.po], pos.sku[lots.po]
        cell = rep * k + sku

        def count(mask: np.ndarray, where: np.ndarray, units: np.ndarray) -> np.ndarray:
            return np.bincount(where[mask], weights=units[mask], minlength=n * k).reshape(n, k)

        shipped = self.shipped
        s_po = lots.po[shipped.lot]
        s_cell = pos.rep[s_po] * k + pos.sku[s_po]
        at_sea = self.shipments.arrival[shipped.shipment] >= self.days
        return {
            "production": count(lots.ready >= self.days, cell, lots.units),
            "never_ready": count(lots.ready < 0, cell, lots.units),
            "port": np.zeros((n, k)),
            "sea": count(at_sea, s_cell, shipped.units),
        }

    def balances(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``[R, days]`` end-of-day cash, receivables and payables (``Replication.close_day``):
        cash = opening + every movement so far; receivables = revenue - receipts so far;
        payables = purchases recognised - supplier cash paid (deposits, balances, refunds)."""
        cash = self.world.scenario.finance.opening_cash + np.cumsum(
            sum(self.flows.values()), axis=1
        )
        receivables = np.cumsum(self.revenue_day - self.flows[EventKind.SALES_RECEIPT], axis=1)
        paid = -(
            self.flows[EventKind.DEPOSIT]
            + self.flows[EventKind.BALANCE]
            + self.flows[EventKind.SUPPLIER_CREDIT]
        )
        payables = np.cumsum(self.purchases_day - paid, axis=1)
        return cash, receivables, payables

    def units_ordered(self) -> np.ndarray:
        """``[R, K]`` units ordered."""
        n, k = self.n, self.on_hand.shape[1]
        cell = self.pos.rep * k + self.pos.sku
        return np.bincount(cell, weights=self.pos.quantity, minlength=n * k).reshape(n, k)

    def supplier_pos(self) -> np.ndarray:
        """``[R, S]`` POs placed."""
        m = len(self.world.suppliers)
        cell = self.pos.rep * m + self.pos.supplier
        return np.bincount(cell, minlength=self.n * m).reshape(self.n, m)

    def lead_times(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rep, supplier, days)`` of every finished PO lot."""
        if not self.lead_days:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        return (
            np.concatenate(self.lead_rep),
            np.concatenate(self.lead_supplier),
            np.concatenate(self.lead_days),
        )
