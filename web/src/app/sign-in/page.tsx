import { redirect } from "next/navigation";
import { AuthForm } from "../../components/AuthForm";
import { currentSession } from "../../lib/session";

export const metadata = { title: "Sign in · authbridge" };

export default async function SignInPage() {
  if (await currentSession()) redirect("/dashboard");
  return <AuthForm mode="sign-in" />;
}
