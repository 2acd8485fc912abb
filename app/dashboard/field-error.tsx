// The accessible error of one form field: the input points at its message (aria-describedby) and is
// marked invalid; the message is rendered next to it. Shared by the dashboard's forms.

export type FieldErrors = Record<string, string>;

/** Props for the input of `field` (`id` = the input's id, which names the message element). */
export function fieldErrorProps(errors: FieldErrors, field: string, id = field) {
  return {
    "aria-invalid": Boolean(errors[field]),
    "aria-describedby": errors[field] ? `${id}-error` : undefined,
  };
}

export function FieldError({
  errors,
  field,
  id = field,
}: {
  errors: FieldErrors;
  field: string;
  id?: string;
}) {
  const message = errors[field];
  return message ? (
    <span id={`${id}-error`} className="form-error">
      {message}
    </span>
  ) : null;
}

/** The form-level error (role=alert) and success notice of an action state. */
export function FormStatus({ error, success }: { error: string | null; success?: string | null }) {
  return (
    <>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {success ? (
        <p className="notice-ok" role="status">
          {success}
        </p>
      ) : null}
    </>
  );
}
