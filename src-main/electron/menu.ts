/** The application menu: File (open, export, quit), Edit, View (reload and devtools in dev only). */
import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openCapture(): void;
  exportInventory(): void;
}

export function buildMenu(dev: boolean, actions: MenuActions): Menu {
  const mac = process.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open Capture…', accelerator: 'CmdOrCtrl+O', click: () => actions.openCapture() },
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportInventory() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit', accelerator: 'CmdOrCtrl+Q' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(dev
        ? ([
            { role: 'reload' },
            { role: 'forceReload' },
            { role: 'toggleDevTools' },
            { type: 'separator' },
          ] as const)
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
