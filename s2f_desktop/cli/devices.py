"""`s2f devices`: the input devices PortAudio sees (names as the kiosk configuration expects them)."""

from __future__ import annotations

import argparse
import json


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per device")


def run(args: argparse.Namespace) -> int:
    from s2f_desktop.audio.devices import list_input_devices

    devices = list_input_devices()
    if not devices:
        print("No audio input device found.")
        return 1
    for device in devices:
        if args.json:
            print(json.dumps({"index": device.index, "name": device.name, "host_api": device.host_api,
                              "channels": device.channels, "default_rate": device.default_rate,
                              "default": device.is_default}))
        else:
            mark = "*" if device.is_default else " "
            print(f"{mark} {device.index:3d}  {device.name}  ({device.host_api}, {device.channels} ch, "
                  f"{device.default_rate:.0f} Hz)")
    return 0
