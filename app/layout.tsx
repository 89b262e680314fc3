import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Lookahead',
  description: 'Probabilistic forecasts of your time series, computed in your browser.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="top">
          <h1>
            <a href="/">Lookahead</a>
          </h1>
          <p>Forecasts with honest uncertainty, computed in your browser.</p>
          <a className="top-link" href="/monitor">Monitor</a>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
