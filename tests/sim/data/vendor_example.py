# ruff: noqa
# fmt: off
# The vendor documentation's Python example, verbatim except for BASE (the simulator's
# URL, from the environment). The key comes from FINETUNING_API_KEY as in the original.
import requests
import time
import os

API_KEY = os.environ["FINETUNING_API_KEY"]
BASE = os.environ["FTTUI_SIM_BASE_URL"]
headers = {"X-API-Key": API_KEY}

# Generate a track
res = requests.post(f"{BASE}/v1/generations", headers=headers, json={
"tags": "jazz smooth saxophone evening",
"duration": 90,
"bpm": 100,
})
gen = res.json()["data"]
print(f"Generation started: {gen['id']}")

# Poll for completion
while True:
    r = requests.get(f"{BASE}/v1/generations/{gen['id']}", headers=headers)
    data = r.json()["data"]
    if data["status"] == "completed":
        print(f"Audio: {data['audioUrl']}")
        break
    elif data["status"] == "failed":
        print(f"Error: {data.get('errorMessage')}")
        break
    time.sleep(3)
