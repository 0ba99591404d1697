import { redirect } from "next/navigation";
import { Dashboard } from "../../components/Dashboard";
import { SignOutButton } from "../../components/SignOutButton";
import { getConfig } from "../../config";
import { currentSession } from "../../lib/session";

export const metadata = { title: "Dashboard · authbridge" };

export default async function DashboardPage() {
  // proxy.ts only saw a cookie; this asks the database whether the session is real.
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <main>
      <div className="topline">
        <h1>Hello, {session.user.name}</h1>
        <SignOutButton />
      </div>
      <Dashboard apiUrl={getConfig().apiUrl} />
    </main>
  );
}
