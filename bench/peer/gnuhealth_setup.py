"""Sets up the GNU Health peer database for `make bench-peer` (run with the peer's Python).

    var/peer/venv/bin/python bench/peer/gnuhealth_setup.py CONFIG DBNAME

Through GNU Health's own models (the ORM its server runs, so every row is the one its
client would create), idempotently:

1. the company (GBP) and its institution, the admin user in that company and linked to a
   health professional (ambulatory care is signed by the professional of the signed-in
   user);
2. a medicament (onabotulinumtoxinA 100 U, is_medicament) and a lot with an expiry date,
   received into the warehouse's storage location by a done stock move (the stock the
   ambulatory care draws from);
The patients are seeded by bench/peer/gnuhealth_seed.py (SQL: the ORM's own create ran
at about 10 patients/s here).

Prints `setup: ...` lines and `ids: {...}` (JSON: the ids the benchmark needs).
"""

import datetime as dt
import json
import sys
from decimal import Decimal

from trytond.config import config

CONFIG, DBNAME = sys.argv[1], sys.argv[2]
config.update_etc(CONFIG)

from trytond.pool import Pool  # noqa: E402 - after the configuration is read
from trytond.transaction import Transaction  # noqa: E402


def one(model, domain):
    found = model.search(domain, limit=1)
    return found[0] if found else None


def setup_company(pool):
    Party = pool.get("party.party")
    Company = pool.get("company.company")
    Currency = pool.get("currency.currency")
    Institution = pool.get("gnuhealth.institution")
    User = pool.get("res.user")

    currency = one(Currency, [("code", "=", "GBP")])
    if not currency:
        (currency,) = Currency.create(
            [
                {
                    "name": "Pound Sterling",
                    "code": "GBP",
                    "symbol": "£",
                    "rounding": Decimal("0.01"),
                    "digits": 2,
                }
            ]
        )
    company = one(Company, [])
    if not company:
        (party,) = Party.create([{"name": "Bench Clinic", "is_institution": True}])
        (company,) = Company.create([{"party": party.id, "currency": currency.id}])
    if not one(Institution, [("party", "=", company.party.id)]):
        Party.write([company.party], {"is_institution": True})
        Institution.create(
            [
                {
                    "party": company.party.id,
                    "code": "BENCH",
                    "institution_type": "clinic",
                    "public_level": "private",
                }
            ]
        )
    admin = User(1)
    User.write([admin], {"companies": [("add", [company.id])], "company": company.id})
    return company, currency


def setup_professional(pool):
    Party = pool.get("party.party")
    Professional = pool.get("gnuhealth.healthprofessional")
    party = one(Party, [("internal_user", "=", 1)])
    if not party:
        (party,) = Party.create(
            [
                {
                    "name": "Ada",
                    "lastname": "Bench",
                    "is_person": True,
                    "is_healthprof": True,
                    "gender": "f",
                    "internal_user": 1,
                    "fed_country": "GBR",
                }
            ]
        )
    professional = one(Professional, [("party", "=", party.id)])
    if not professional:
        (professional,) = Professional.create([{"party": party.id, "code": "GMC0001"}])
    return professional


def setup_stock(pool, company, currency):
    Template = pool.get("product.template")
    Product = pool.get("product.product")
    Uom = pool.get("product.uom")
    Medicament = pool.get("gnuhealth.medicament")
    Lot = pool.get("stock.lot")
    Location = pool.get("stock.location")
    Move = pool.get("stock.move")

    unit = one(Uom, [("symbol", "=", "u")])
    product = one(Product, [("suffix_code", "=", "BTX-A-100")])
    if not product:
        (template,) = Template.create(
            [
                {
                    "name": "OnabotulinumtoxinA 100 U vial",
                    "type": "goods",
                    "default_uom": unit.id,
                    "list_price": Decimal(180),
                    "products": [
                        (
                            "create",
                            [
                                {
                                    "suffix_code": "BTX-A-100",
                                    "is_medicament": True,
                                    "cost_price": Decimal(120),
                                }
                            ],
                        )
                    ],
                }
            ]
        )
        (product,) = template.products
    medicament = one(Medicament, [("product", "=", product.id)])
    if not medicament:
        (medicament,) = Medicament.create([{"product": product.id}])
    lot = one(Lot, [("product", "=", product.id), ("number", "=", "C1234A")])
    storage = one(Location, [("code", "=", "STO")])
    supplier = one(Location, [("code", "=", "SUP")])
    if not lot:
        (lot,) = Lot.create(
            [
                {
                    "number": "C1234A",
                    "product": product.id,
                    "expiration_date": dt.datetime.now(dt.UTC).date() + dt.timedelta(days=365),
                }
            ]
        )
        moves = Move.create(
            [
                {
                    "product": product.id,
                    "unit": unit.id,
                    "quantity": 1_000_000,
                    "from_location": supplier.id,
                    "to_location": storage.id,
                    "lot": lot.id,
                    "unit_price": Decimal(120),
                    "currency": currency.id,
                    "company": company.id,
                    "effective_date": dt.datetime.now(dt.UTC).date(),
                }
            ]
        )
        Move.do(moves)
    return {
        "product": product.id,
        "medicament": medicament.id,
        "lot": lot.id,
        "care_location": storage.id,
    }


def main():
    Pool.start()
    pool = Pool(DBNAME)
    pool.init()
    with Transaction().start(DBNAME, 0, context={}) as transaction:
        company, currency = setup_company(pool)
        context = {"company": company.id, "company.rec_name": company.rec_name}
        transaction.commit()
    with Transaction().start(DBNAME, 0, context=context) as transaction:
        Company, Currency = pool.get("company.company"), pool.get("currency.currency")
        company, currency = Company(context["company"]), Currency(currency.id)
        professional = setup_professional(pool)
        ids = setup_stock(pool, company, currency)
        ids.update(company=company.id, professional=professional.id, currency=currency.id)
        transaction.commit()
    print("ids: " + json.dumps(ids), flush=True)


if __name__ == "__main__":
    main()
