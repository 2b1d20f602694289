#!/usr/bin/env bash
# A real capture device on a machine without a sound card: a user-mode PulseAudio server with a null sink
# ("vspk") whose monitor is remapped to a source ("vmic", the default). Audio played into vspk (paplay) arrives at
# PortAudio's "pulse"/"default" ALSA device in real time.
#   installer/virtual-mic.sh start   -> prints the PULSE_SERVER value to export
#   installer/virtual-mic.sh stop
set -euo pipefail
RUN_DIR=${S2F_PULSE_DIR:-/tmp/s2f-pulse}
SOCKET=$RUN_DIR/native
CLIENT_CONF=/etc/pulse/client.conf.d/90-s2f-virtual-mic.conf

stop() {
  [[ -f $RUN_DIR/keepalive.pid ]] && kill "$(cat "$RUN_DIR/keepalive.pid")" 2>/dev/null || true
  [[ -f $RUN_DIR/pulse.pid ]] && kill "$(cat "$RUN_DIR/pulse.pid")" 2>/dev/null || true
  rm -f "$CLIENT_CONF"
  rm -rf "$RUN_DIR"
}

start() {
  stop
  mkdir -p "$RUN_DIR"
  cat > "$RUN_DIR/server.pa" <<PA
load-module module-native-protocol-unix auth-anonymous=1 socket=$SOCKET
load-module module-null-sink sink_name=vspk sink_properties=device.description=VirtualSpeaker
load-module module-remap-source source_name=vmic master=vspk.monitor source_properties=device.description=VirtualMicrophone
set-default-sink vspk
set-default-source vmic
PA
  HOME=$RUN_DIR XDG_RUNTIME_DIR=$RUN_DIR pulseaudio --daemonize=no --system=false --disallow-exit --exit-idle-time=-1 \
    --use-pid-file=no -n -F "$RUN_DIR/server.pa" --log-target=file:"$RUN_DIR/pulse.log" </dev/null >/dev/null 2>&1 &
  echo $! > "$RUN_DIR/pulse.pid"
  for _ in $(seq 50); do [[ -S $SOCKET ]] && break; sleep 0.1; done
  [[ -S $SOCKET ]] || { echo "virtual-mic: PulseAudio did not start (see $RUN_DIR/pulse.log)" >&2; exit 1; }
  mkdir -p "$(dirname "$CLIENT_CONF")"
  echo "default-server = unix:$SOCKET" > "$CLIENT_CONF"
  # An idle null sink sleeps in big chunks (first reads wait seconds): keep a silent low-latency stream playing.
  PULSE_SERVER=unix:$SOCKET pacat --playback --latency-msec=20 --device=vspk /dev/zero </dev/null >/dev/null 2>&1 &
  echo $! > "$RUN_DIR/keepalive.pid"
  # Priming reads: for the first seconds the fresh source delivers in big late bursts (playback runs slow),
  # so read it for a while before anyone measures with it.
  PULSE_SERVER=unix:$SOCKET timeout 3 parec --device=vmic > /dev/null 2>&1 || true
  echo "unix:$SOCKET"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
