/** Read-only code with simple highlighting and line numbers. */
import { memo } from 'react';
import { highlightLine } from '../lib/highlight.js';

export const CodeView = memo(function CodeView({ text, language, label }: { text: string; language: string; label: string }) {
  const lines = text.replace(/\n$/, '').split('\n');
  return (
    <pre className="code" aria-label={label} tabIndex={0} data-language={language}>
      <code>
        {lines.map((line, i) => (
          <span className="line" key={i}>
            <span className="ln" aria-hidden="true">
              {i + 1}
            </span>
            {highlightLine(line, language).map((t, j) =>
              t.kind === 'text' ? (
                <span key={j}>{t.text}</span>
              ) : (
                <span key={j} className={`tok-${t.kind}`}>
                  {t.text}
                </span>
              ),
            )}
            {'\n'}
          </span>
        ))}
      </code>
    </pre>
  );
});
