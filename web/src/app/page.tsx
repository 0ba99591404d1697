import Link from "next/link";
import { redirect } from "next/navigation";
import { currentSession } from "../lib/session";

export default async function Home() {
  if (await currentSession()) redirect("/dashboard");
  return (
    <main>
      <h1>authbridge</h1>
      <p>
        Sign up or sign in here. This app then hands your browser a short-lived token, and a separate API, which trusts that token and nothing else,
        keeps your own task list.
      </p>
      <p className="actions">
        <Link href="/sign-up" className="button">
          Create an account
        </Link>
        <Link href="/sign-in" className="button secondary">
          Sign in
        </Link>
      </p>
    </main>
  );
}
