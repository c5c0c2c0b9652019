/** The theme's colours as CSS variables resolve them now, re-read when the theme or the system's scheme changes. */
import { useEffect, useState } from 'react';

export interface ThemeColors {
  text: string;
  muted: string;
  border: string;
  accent: string;
  accentSoft: string;
  panel: string;
}

function read(): ThemeColors {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1c2330'),
    muted: v('--muted', '#5f6b7a'),
    border: v('--border', '#d8dde4'),
    accent: v('--accent', '#2563eb'),
    accentSoft: v('--accent-soft', '#dbe6fd'),
    panel: v('--panel', '#ffffff'),
  };
}

const same = (a: ThemeColors, b: ThemeColors) =>
  a.text === b.text &&
  a.muted === b.muted &&
  a.border === b.border &&
  a.accent === b.accent &&
  a.accentSoft === b.accentSoft &&
  a.panel === b.panel;

export function useThemeColors(): ThemeColors {
  const [colors, setColors] = useState(read);
  useEffect(() => {
    // The App sets html[data-theme] in its own effect (after ours): watch the attribute, not the store.
    const update = () => setColors((prev) => (same(prev, read()) ? prev : read()));
    const obs = new MutationObserver(update);
    obs.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', update);
    update();
    return () => {
      obs.disconnect();
      mq.removeEventListener('change', update);
    };
  }, []);
  return colors;
}
