"use client";

import { useEffect, useState } from "react";

/**
 * Time left until `expiresAt`, by the server's clock: the offset between the server time of the last
 * answer and the moment it arrived corrects a payer's clock that is off. Renders only after mount so
 * the server's and the browser's first paint agree.
 */
export function Countdown({
  expiresAt,
  serverTime,
  receivedAt,
}: {
  expiresAt: string;
  serverTime: string;
  receivedAt: number;
}) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  if (now === null)
    return (
      <span data-testid="countdown" className="muted">
        …
      </span>
    );
  const offset = Date.parse(serverTime) - (receivedAt || now);
  const left = Math.max(0, Date.parse(expiresAt) - (now + offset));
  const totalSeconds = Math.floor(left / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (value: number) => String(value).padStart(2, "0");
  const text = hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${pad(minutes)}:${pad(seconds)}`;
  return (
    <time data-testid="countdown" dateTime={new Date(Date.parse(expiresAt)).toISOString()} role="timer">
      {left === 0 ? "expiring…" : text}
    </time>
  );
}
