#!/bin/bash
# Glasspane after-install script for the .deb and .rpm packages (electron-builder's linux
# afterInstall). electron-builder fills in the ${...} placeholders when it builds the package.
#
# It does what electron-builder's default script does (the /usr/bin command link, the chrome-sandbox
# mode, the desktop and MIME databases), plus ONE thing more: it grants packet-capture rights to the
# capture helper, and only to it. The app, its renderer and the engine stay unprivileged; nothing is
# setuid root for capture, and nothing runs as root after installation. This mirrors Wireshark's
# dumpcap: one small program holds capture rights.
#
# To undo the grant:   setcap -r '/opt/${sanitizedProductName}/resources/capture/glasspane-capture'
# An install never fails because of this script: every step that may fail says so and goes on.

APP_DIR='/opt/${sanitizedProductName}'
EXECUTABLE='${executable}'
CAPTURE_HELPER="$APP_DIR/resources/capture/glasspane-capture"

# The command on PATH.
if type update-alternatives >/dev/null 2>&1; then
  update-alternatives --install "/usr/bin/$EXECUTABLE" "$EXECUTABLE" "$APP_DIR/$EXECUTABLE" 100 \
    || ln -sf "$APP_DIR/$EXECUTABLE" "/usr/bin/$EXECUTABLE"
else
  ln -sf "$APP_DIR/$EXECUTABLE" "/usr/bin/$EXECUTABLE"
fi

# Chromium's sandbox: user namespaces where the kernel allows them, else the setuid sandbox helper
# (which only sets up the sandbox and drops privileges; it is Chromium's, not ours).
if [ -L /proc/self/ns/user ] && unshare --user true 2>/dev/null; then
  chmod 0755 "$APP_DIR/chrome-sandbox" 2>/dev/null || true
else
  chmod 4755 "$APP_DIR/chrome-sandbox" 2>/dev/null || true
fi

if command -v update-mime-database >/dev/null 2>&1; then
  update-mime-database /usr/share/mime || true
fi
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database /usr/share/applications || true
fi

# Capture rights for the capture helper only: CAP_NET_RAW to open capture sockets, CAP_NET_ADMIN for
# promiscuous mode. A symlink is refused (setcap would follow it to whatever it points at).
if [ -f "$CAPTURE_HELPER" ] && [ ! -L "$CAPTURE_HELPER" ]; then
  chown root:root "$CAPTURE_HELPER" && chmod 0755 "$CAPTURE_HELPER"
  if command -v setcap >/dev/null 2>&1; then
    setcap cap_net_raw,cap_net_admin=eip "$CAPTURE_HELPER" \
      || echo "Glasspane: could not grant capture rights to $CAPTURE_HELPER; live capture stays unavailable (capture files still work)." >&2
  else
    echo "Glasspane: setcap was not found (package libcap2-bin or libcap). For live capture, run:" >&2
    echo "  sudo setcap cap_net_raw,cap_net_admin=eip $CAPTURE_HELPER" >&2
  fi
else
  echo "Glasspane: no capture helper at $CAPTURE_HELPER; live capture stays unavailable (capture files still work)." >&2
fi

exit 0
