# Sourced by scripts/test.sh and scripts/bench.sh: a private D-Bus session whose Secret Service is
# gnome-keyring, unlocked with a throwaway password, so nothing touches the user's own keyring.
#
# keyring_bus_config DIR   writes DIR/session.conf: the session bus's own config. Should
#                          gnome-keyring-daemon die mid-run (seen once: a GLib assertion in the
#                          daemon), the bus starts it again unlocked with the same throwaway
#                          password, so the keyring's items stay reachable instead of every later
#                          call waiting for an unlock prompt nobody answers.
# keyring_session DIR CMD… runs CMD on a new bus with that config, gnome-keyring started on it.

keyring_bus_config() {
  mkdir -p "$1/services"
  sed "s|<standard_session_servicedirs />|<servicedir>$1/services</servicedir><standard_session_servicedirs />|" \
    /usr/share/dbus-1/session.conf > "$1/session.conf"
  cat > "$1/services/org.freedesktop.secrets.service" <<'SERVICE'
[D-BUS Service]
Name=org.freedesktop.secrets
Exec=/bin/sh -c "printf test | exec /usr/bin/gnome-keyring-daemon --foreground --components=secrets --unlock"
SERVICE
}

keyring_session() {
  local dir=$1
  shift
  dbus-run-session --config-file="$dir/session.conf" -- bash -c '
    set -euo pipefail
    printf test | gnome-keyring-daemon --components=secrets --daemonize --unlock >/dev/null
    "$@"
  ' keyring-session "$@"
}
