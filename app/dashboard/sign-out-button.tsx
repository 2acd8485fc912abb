"use client";

import { useRouter } from "next/navigation";
import { signOut } from "next-auth/react";
import { useState } from "react";

export function SignOutButton() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const signOutNow = async () => {
    setPending(true);
    await signOut({ redirect: false });
    router.replace("/sign-in");
    router.refresh();
  };
  return (
    <button
      type="button"
      className="button button-secondary button-small"
      disabled={pending}
      onClick={() => void signOutNow()}
    >
      Sign out
    </button>
  );
}
