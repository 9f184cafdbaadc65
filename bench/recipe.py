#!/usr/bin/env python3
"""The original cron recipe, for reference: GET the URL (no timeout), read every line of
the log to find the last state, append on a change. Usage: recipe.py URL LOG"""
import datetime
import sys

import requests

url, log = sys.argv[1], sys.argv[2]
try:
    up = requests.get(url).status_code == 200
except requests.RequestException:
    up = False
try:
    with open(log) as f:
        lines = f.readlines()
    last = lines[-1].split()[1] if lines else ""
except FileNotFoundError:
    last = ""
state = "ONLINE" if up else "OFFLINE"
if state != last:
    with open(log, "a") as f:
        f.write(f"{datetime.datetime.now().astimezone().isoformat()} {state} web\n")
