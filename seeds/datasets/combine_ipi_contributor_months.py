"""Build ipi_contributor_months.csv from IPI's per-country files (one file per contributing
country, named by IPI's country name, with Date, Troops, Police, Experts).

    python seeds/datasets/combine_ipi_contributor_months.py ../shared/data/ipi_contributor_months

Writes one file beside this script: a Country column (the file's name without ".csv", IPI's
own spelling) followed by the file's own columns, cells copied as they are; countries in the
order of their names, each country's rows in its file's order. Run again on the same folder,
it writes the same bytes.
"""

import csv
import sys
from pathlib import Path

HEADER = ["Date", "Troops", "Police", "Experts"]


def main(folder):
    target = Path(__file__).with_name("ipi_contributor_months.csv")
    with open(target, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["Country", *HEADER])
        for path in sorted(Path(folder).glob("*.csv"), key=lambda path: path.stem):
            with open(path, newline="", encoding="utf-8") as data:
                rows = csv.reader(data)
                header = next(rows)
                if header != HEADER:
                    sys.exit(f"{path}: header {header} is not {HEADER}")
                for row in rows:
                    writer.writerow([path.stem, *row])


if __name__ == "__main__":
    main(sys.argv[1])
