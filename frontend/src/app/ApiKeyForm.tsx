import { useState, type FormEvent } from 'react'
import { getApiKey, setApiKey } from '@/lib/api-client'

/** Where a person enters the service's API key, when it has one (kept in this browser). */
export function ApiKeyForm({ onSaved }: { onSaved: () => void }) {
  const [value, setValue] = useState(() => getApiKey() ?? '')
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setApiKey(value.trim() || null)
    onSaved()
  }
  return (
    <form className="api-key" onSubmit={submit}>
      <label className="field field--inline">
        <span>API key</span>
        <input
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>
      <button type="submit" className="button button--small">
        Save
      </button>
    </form>
  )
}
