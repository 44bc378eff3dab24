# Shared by the .ci/window-* checks (sourced, not run): a throwaway X server, a fresh data
# directory, and the real ecolens binary started, focused, photographed and closed the way a
# window manager closes it. Each check sets `check` (its name, for messages) before sourcing.

out=target/ci
mkdir -p "$out"
data=$(mktemp -d)
runtime=$(mktemp -d)
chmod 700 "$runtime"
bin=${ECOLENS_BIN:-target/debug/ecolens}
[ -x "$bin" ] || cargo build --locked -p ecolens-app --bin ecolens
xvfb=""
app=""
window=""

cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
}
trap cleanup EXIT

export XDG_RUNTIME_DIR="$runtime" ECOLENS_DATA_DIR="$data" HOME="$data"
# No desktop session: no portal, no session bus; the window must cope on its own.
unset WAYLAND_DISPLAY ECOLENS_REVIEWER DBUS_SESSION_BUS_ADDRESS

fail() {
  echo "$check: $*" >&2
  exit 1
}

# xvfb_start WIDTHxHEIGHT: a new X server of that size on a free display.
xvfb_start() {
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null
  local n
  for n in $(seq 60 99); do
    [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || break
  done
  export DISPLAY=":$n"
  Xvfb "$DISPLAY" -screen 0 "${1}x24" -nolisten tcp >"$out/xvfb-$check.log" 2>&1 &
  xvfb=$!
  sleep 1
}

# app_start [ARGS…]: the binary, its window found and given the keyboard (no window manager
# gives focus under Xvfb). Its stderr goes to $out/$check.log.
app_start() {
  "$bin" "$@" >>"$out/$check.log" 2>&1 &
  app=$!
  window=$(timeout 60 xdotool search --sync --onlyvisible --name '^ecolens$') ||
    fail "the window did not appear within 60 s; $out/$check.log says: $(tail -5 "$out/$check.log")"
  xdotool windowfocus --sync "$window"
  sleep 3
  kill -0 "$app" 2>/dev/null || fail "ecolens exited early: $(tail -5 "$out/$check.log")"
}

# app_close: WM_DELETE_WINDOW, as a window manager sends it, then wait for the process to end.
app_close() {
  /usr/bin/python3 - "$window" <<'PY'
import sys
from Xlib import X, display, protocol
d = display.Display()
window = d.create_resource_object("window", int(sys.argv[1]))
protocols = d.intern_atom("WM_PROTOCOLS")
delete = d.intern_atom("WM_DELETE_WINDOW")
event = protocol.event.ClientMessage(
    window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
)
window.send_event(event, event_mask=X.NoEventMask)
d.flush()
PY
  local _
  for _ in $(seq 1 100); do
    kill -0 "$app" 2>/dev/null || { app=""; return 0; }
    sleep 0.2
  done
  fail "the window did not close within 20 s of WM_DELETE_WINDOW"
}

# shot NAME: a screenshot of the whole screen in $out/NAME.png.
shot() { import -window root "$out/$1.png"; }

# click X Y, then a moment for the window to answer.
click() {
  xdotool mousemove "$1" "$2" click 1
  sleep "${3:-1}"
}
