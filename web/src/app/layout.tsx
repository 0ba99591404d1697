import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "authbridge",
  description: "Sign in here; a separate API trusts the short-lived token this app hands out.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
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
