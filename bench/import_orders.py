"""Import benchmark: a 1M-row orders CSV (100k customers) into a fresh store. Prints the figures."""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from assistant.importer import import_file
from assistant.store import Store


def make_csv(path: Path, rows: int, customers: int, seed: int = 1) -> None:
    """Write a realistic orders CSV (zh headers, mixed date formats)."""
    rng = random.Random(seed)
    products = ["耶加雪菲", "曼特宁", "Espresso Blend", "挂耳包"]
    with path.open("w", encoding="utf-8") as f:
        f.write("客户编号,客户,日期,金额,数量,商品\n")
        for i in range(rows):
            c = rng.randrange(customers)
            day = f"202{rng.randrange(3, 6)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            f.write(f"C{c},客户{c},{day},{rng.randrange(10, 500)}.00,{rng.randrange(1, 5)},"
                    f"{products[c % 4]}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "orders.csv"
        t0 = time.perf_counter()
        make_csv(csv, args.rows, args.customers)
        t1 = time.perf_counter()
        store = Store.open(Path(tmp) / "crm.db")
        result = import_file(store, "orders", csv, progress=True)
        t2 = time.perf_counter()
        undone = store.undo()
        t3 = time.perf_counter()
        print(f"rows                 {args.rows:>12,}")
        print(f"file size            {csv.stat().st_size / 1e6:>11.1f} MB")
        print(f"customers created    {result.created_customers:>12,}")
        print(f"orders inserted      {result.inserted:>12,}")
        print(f"import time          {t2 - t1:>11.1f} s   (target < 60 s)")
        print(f"rows per second      {result.inserted / (t2 - t1):>12,.0f}")
        print(f"undo of the import   {t3 - t2:>11.1f} s   ({undone})")
        print(f"(csv generation      {t1 - t0:>11.1f} s, not counted)")


if __name__ == "__main__":
    main()
