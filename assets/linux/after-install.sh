#!/bin/bash
# Glasspane after-install script for the .deb and .rpm packages (electron-builder's linux
# afterInstall). electron-builder fills in the ${...} placeholders when it builds the package.
#
# It does what electron-builder's default script does (the /usr/bin command link, the chrome-sandbox
# mode, the desktop and MIME databases), plus ONE thing more: it grants packet-capture rights to the
# capture helper, and only to it, runnable by the glasspane group only. The app, its renderer and the engine stay unprivileged; nothing is
# setuid root for capture, and nothing runs as root after installation. This mirrors Wireshark's
# dumpcap: one small program holds capture rights.
#
# To undo the grant:   setcap -r '/opt/${sanitizedProductName}/resources/capture/glasspane-capture'
# Who may capture:     members of the glasspane system group (sudo usermod -aG glasspane $USER).
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

# --- capture rights (test/live/group.test.ts runs this section alone) ---
# Capture rights for the capture helper only, and for the members of one system group only (as
# Debian's dumpcap and its wireshark group): `sudo usermod -aG glasspane $USER`, then log in again.
# - The group is created once and kept: an upgrade finds it, and a removal leaves it (users and files
#   may still refer to it; there is no after-remove script: removing the package removes the helper,
#   and its capability with it).
# - root:glasspane 0750: members run it, nobody else may run or read it (0750 rather than dumpcap's
#   0754: others have no use for reading a binary they cannot run).
# - CAP_NET_RAW only: it opens the AF_PACKET capture socket, and libpcap sets promiscuous mode with
#   PACKET_ADD_MEMBERSHIP on that socket, which needs nothing more. CAP_NET_ADMIN (monitor mode,
#   nflog) is not granted. setcap comes last: chown and chmod clear file capabilities.
# A symlink is refused (chown and setcap would follow it to whatever it points at).
CAPTURE_GROUP='glasspane'
if ! getent group "$CAPTURE_GROUP" >/dev/null 2>&1; then
  groupadd --system "$CAPTURE_GROUP" 2>/dev/null || addgroup --system "$CAPTURE_GROUP" >/dev/null 2>&1 \
    || echo "Glasspane: could not create the system group $CAPTURE_GROUP." >&2
fi
if [ -f "$CAPTURE_HELPER" ] && [ ! -L "$CAPTURE_HELPER" ] && getent group "$CAPTURE_GROUP" >/dev/null 2>&1; then
  chown "root:$CAPTURE_GROUP" "$CAPTURE_HELPER" && chmod 0750 "$CAPTURE_HELPER"
  if command -v setcap >/dev/null 2>&1; then
    setcap cap_net_raw=eip "$CAPTURE_HELPER" \
      || echo "Glasspane: could not grant capture rights to $CAPTURE_HELPER; live capture stays unavailable (capture files still work)." >&2
  else
    echo "Glasspane: setcap was not found (package libcap2-bin or libcap). For live capture, run:" >&2
    echo "  sudo setcap cap_net_raw=eip $CAPTURE_HELPER" >&2
  fi
  echo "Glasspane: live capture is for members of the $CAPTURE_GROUP group: sudo usermod -aG $CAPTURE_GROUP \$USER, then log in again." >&2
elif [ -f "$CAPTURE_HELPER" ] && [ ! -L "$CAPTURE_HELPER" ]; then
  # Without the group, nobody but root may run it: no capability on a file anyone could run.
  chown root:root "$CAPTURE_HELPER" && chmod 0700 "$CAPTURE_HELPER"
else
  echo "Glasspane: no capture helper at $CAPTURE_HELPER; live capture stays unavailable (capture files still work)." >&2
fi
# --- end of capture rights ---

exit 0
