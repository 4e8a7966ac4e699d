import { router } from "@inertiajs/react";

/** Log out. The key of the encrypted history is dropped before the request (the login page
 * drops it again): Back after logout then refetches and lands on the login page instead of
 * showing a signed-in page. Left to the login page alone, a Back pressed before its effect ran
 * (a loaded machine, a Preact build) still found the key and showed the old page. */
export function logOut(): void {
  router.clearHistory();
  router.post("/logout");
}
