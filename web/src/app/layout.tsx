import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "authbridge",
  description: "Sign in here; a separate API trusts the short-lived token this app hands out.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request: Next can only put the CSP nonce (src/proxy.ts) on the
  // scripts of a page it renders for that request, never on one prerendered at build time.
  await connection();
  return (
    <html lang="en">
      <body>
        <header>
          <Link href="/" className="brand">
            authbridge
          </Link>
        </header>
        {children}
      </body>
    </html>
  );
}
