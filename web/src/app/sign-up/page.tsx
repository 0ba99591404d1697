import { redirect } from "next/navigation";
import { AuthForm } from "../../components/AuthForm";
import { currentSession } from "../../lib/session";

export const metadata = { title: "Sign up · authbridge" };

export default async function SignUpPage() {
  if (await currentSession()) redirect("/dashboard");
  return <AuthForm mode="sign-up" />;
}
