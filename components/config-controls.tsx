'use client';
import { useRef, useState } from 'react';
import { PRESETS, parseForecastConfigJson, serializeForecastConfig, workbenchHref, type ForecastConfig } from '@/lib/config';
import { saveBlob } from './download';

/**
 * Presets, and the configuration as one JSON document: export it, import it (validated; every
 * bad field named), or copy a link that opens the workbench with it.
 */
export function ConfigControls({
  preset,
  onPreset,
  currentConfig,
  onImport,
  onError,
}: {
  preset: string | null;
  onPreset: (presetId: string) => void;
  /** Builds the configuration from the current settings (throws with a readable message when they are invalid). */
  currentConfig: () => ForecastConfig;
  onImport: (config: ForecastConfig) => void;
  onError: (message: string) => void;
}) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [link, setLink] = useState<string | null>(null);

  const withConfig = (work: (config: ForecastConfig) => void) => () => {
    try {
      work(currentConfig());
    } catch (failure) {
      onError((failure as Error).message);
    }
  };

  const importFile = async (file: File) => {
    try {
      onImport(parseForecastConfigJson(await file.text()));
    } catch (failure) {
      onError((failure as Error).message);
    } finally {
      if (fileRef.current) fileRef.current.value = '';
    }
  };

  return (
    <div className="config-controls">
      <label htmlFor="preset">Preset</label>
      <select id="preset" value={preset ?? ''} onChange={(event) => event.target.value && onPreset(event.target.value)}>
        <option value="">(custom)</option>
        {PRESETS.map((candidate) => (
          <option key={candidate.id} value={candidate.id} title={candidate.description}>
            {candidate.label}
          </option>
        ))}
      </select>
      <div className="toolbar">
        <button
          type="button"
          className="secondary small"
          data-testid="export-config"
          onClick={withConfig((config) => saveBlob(new Blob([serializeForecastConfig(config)], { type: 'application/json' }), 'lookahead-config.json'))}
        >
          Export configuration
        </button>
        <label className="button-like secondary small">
          Import…
          <input ref={fileRef} type="file" accept=".json,application/json" data-testid="config-input" hidden onChange={(event) => event.target.files?.[0] && importFile(event.target.files[0])} />
        </label>
        <button type="button" className="secondary small" data-testid="config-link-button" onClick={withConfig((config) => setLink(new URL(workbenchHref(config), window.location.href).href))}>
          Link
        </button>
      </div>
      {link && (
        <p className="note wrap">
          <a href={link} data-testid="config-link">
            {link}
          </a>
        </p>
      )}
    </div>
  );
}
