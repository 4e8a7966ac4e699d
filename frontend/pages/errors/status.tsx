import { Head, Link } from "@inertiajs/react";

import { Card } from "@/components/ui/card";
import { useShared } from "@/hooks/use-shared";
import { AppLayout } from "@/layouts/app-layout";

interface Props {
  status: number;
  title: string;
  message: string;
}

function Body({ status, title, message }: Props) {
  return (
    <>
      <div className="num text-sm text-muted">Error {status}</div>
      <h2 className="mt-1 mb-2 text-lg font-semibold">{title}</h2>
      <p className="mb-4 text-sm break-words text-muted">{message}</p>
    </>
  );
}

// 403 and 404 in the app's own layout; someone signed out gets the login page's frame.
export default function ErrorStatus(props: Props) {
  const { auth } = useShared();
  if (auth.user) {
    return (
      <AppLayout title={props.title} section="bots">
        <Head title={`${props.title} · Egis`} />
        <Card>
          <Body {...props} />
          <Link
            href="/"
            className="inline-flex min-h-11 items-center rounded-lg bg-accent px-4 text-sm font-medium text-accent-fg hover:bg-accent-hover"
          >
            Back to your bots
          </Link>
        </Card>
      </AppLayout>
    );
  }
  return (
    <div className="flex min-h-dvh items-center justify-center px-4">
      <Head title={`${props.title} · Egis`} />
      <div className="w-full max-w-sm rounded-2xl border border-border bg-surface p-6">
        <div className="mb-4 flex items-center gap-2 text-xl font-semibold">
          <span className="inline-block size-3 rounded-full bg-accent" aria-hidden />
          Egis
        </div>
        <Body {...props} />
        <Link
          href="/login"
          className="inline-flex min-h-11 items-center rounded-lg bg-accent px-4 text-sm font-medium text-accent-fg hover:bg-accent-hover"
        >
          Log in
        </Link>
      </div>
    </div>
  );
}
