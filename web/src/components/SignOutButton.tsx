"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { authClient } from "../lib/auth-client";

export function SignOutButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);

  async function signOut() {
    setBusy(true);
    await authClient.signOut().catch(() => undefined);
    // Whatever the answer, the page must not keep showing the dashboard.
    router.replace("/");
    router.refresh();
  }

  return (
    <button type="button" className="secondary" onClick={signOut} disabled={busy}>
      {busy ? "Signing out…" : "Sign out"}
    </button>
  );
}
