import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";

/** A service lookup of a dashboard page: its `not_found` (missing or another merchant's) is the 404 page. */
export async function orNotFound<T>(lookup: Promise<T>): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
}
