'use client';
import { useEffect, useState } from 'react';
import { listCachedModels, removeCachedModel, type CachedModel } from '@/lib/client/model-install';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * "Models in this browser": the Chronos-Bolt checkpoints converted and cached here (Cache API),
 * with their sizes, each deletable. `refreshKey` changes after every run so new installs show up.
 */
export function BrowserModelsPanel({ refreshKey }: { refreshKey: number }) {
  const [models, setModels] = useState<CachedModel[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let current = true;
    listCachedModels().then(
      (found) => current && setModels(found),
      (failure: Error) => current && setError(failure.message),
    );
    return () => {
      current = false;
    };
  }, [refreshKey, version]);

  const remove = async (key: string) => {
    try {
      await removeCachedModel(window.location.origin, key);
      setVersion((value) => value + 1);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  if (models === null && error === null) return null;
  return (
    <details className="browser-models" data-testid="browser-models">
      <summary>Models in this browser ({models?.length ?? 0})</summary>
      {error && <p className="note">{error}</p>}
      {models && models.length === 0 && <p className="note">None yet: a Chronos-Bolt size chosen from the model list is downloaded, converted and kept here.</p>}
      {models && models.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>model</th>
              <th>weights</th>
              <th>size</th>
              <th>download</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {models.map((model) => (
              <tr key={model.key} data-testid="browser-model" data-repo={model.repo} data-bytes={model.onnxBytes}>
                <td title={`${model.repo}@${model.commit}, sha256 ${model.sha256}`}>
                  {model.label} <code>{model.commit.slice(0, 7)}</code>
                </td>
                <td>{model.dtype}</td>
                <td>{mb(model.onnxBytes)}</td>
                <td>{mb(model.checkpointBytes)}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => remove(model.key)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
