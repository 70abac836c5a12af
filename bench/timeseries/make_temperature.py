#!/usr/bin/python3
"""make_temperature.py CITY OUT.csv [ROWS] - an hourly temperature forecasting table in the layout
of upstream Galaxy-Ludwig's temperature_la.csv, from real data Debian ships.

Source: python3-vega-datasets (0.9+dfsg-1), /usr/lib/python3/dist-packages/vega_datasets/_data/
<CITY>-temps.csv (CITY: seattle or sf): 8,759 hourly temperatures (degrees Fahrenheit) of 2010, in
time order. As upstream's table (Ludwig's weather forecasting example) the series is standardised
(z-score over the whole year, population std) and windowed: row i holds the 20 readings before
hour i as space-separated numbers (`temperature_feature`, a Ludwig timeseries) and the reading at
hour i (`temperature`, a number), 4 decimals each. ROWS keeps only the first ROWS rows.
Standard library only; two runs write identical bytes.
"""
import csv
import math
import sys

WINDOW = 20


def main():
    city, out = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else None
    src = "/usr/lib/python3/dist-packages/vega_datasets/_data/%s-temps.csv" % city
    with open(src, newline="") as f:
        temps = [float(r["temp"]) for r in csv.DictReader(f)]
    mean = sum(temps) / len(temps)
    std = math.sqrt(sum((t - mean) ** 2 for t in temps) / len(temps))
    z = [(t - mean) / std for t in temps]
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["temperature_feature", "temperature"])
        for i in range(WINDOW, len(z)):
            if rows is not None and i - WINDOW >= rows:
                break
            w.writerow([" ".join("%.4f" % v for v in z[i - WINDOW:i]), "%.4f" % z[i]])


if __name__ == "__main__":
    main()
