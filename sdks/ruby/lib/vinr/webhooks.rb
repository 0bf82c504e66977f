# frozen_string_literal: true

require "json"
require "openssl"
require "securerandom"

module Vinr
  # Verifying VINR's webhook deliveries: synchronous, constant-time, either signature style.
  #
  # Every delivery is signed twice with HMAC-SHA256 under the endpoint secret's decoded bytes
  # (whsec_<base64>): x-vinr-signature: t=<unix>,v1=<hex of HMAC("<t>.<body>")> and the
  # Standard Webhooks headers (webhook-id, webhook-timestamp,
  # webhook-signature: v1,<base64 of HMAC("<id>.<t>.<body>")>). During a secret's rotation each
  # carries one signature per active secret, so either secret verifies.
  module Webhooks
    DEFAULT_TOLERANCE = 300

    module_function

    # Verifies a delivery and returns the event. +signature+ is the x-vinr-signature value or
    # all the request's headers (a Hash of any key case, or a Rack env's HTTP_* keys).
    # +secret+ defaults to Vinr.webhook_secret, else VINR_WEBHOOK_SECRET.
    def verify(payload, signature, secret = nil, tolerance: DEFAULT_TOLERANCE, now: nil)
      verify_signature(payload, signature, default_secret(secret), tolerance: tolerance, now: now)
      VinrObject.from(JSON.parse(payload.to_s))
    end

    # +verify+ without parsing the body; raises SignatureVerificationError.
    def verify_signature(payload, signature, secret, tolerance: DEFAULT_TOLERANCE, now: nil)
      key = key_of(secret)
      body = payload.to_s.b
      now ||= Time.now.to_i
      # nil, as request.get_header("HTTP_X_VINR_SIGNATURE") answers without the header:
      # refused below as missing.
      headers = signature.is_a?(String) ? { "x-vinr-signature" => signature } : (signature || {})
      id = header(headers, "webhook-id")
      t = header(headers, "webhook-timestamp")
      sigs = header(headers, "webhook-signature")
      if id && t && sigs
        check_timestamp(t, now, tolerance)
        expected = OpenSSL::HMAC.digest("SHA256", key, "#{id}.#{t.strip}.".b + body)
        matched = sigs.split.any? do |s|
          s.start_with?("v1,") && same?(expected, decode64(s[3..]))
        end
        raise SignatureVerificationError.new("mismatch", "No signature matches (wrong secret or altered body).") unless matched

        return true
      end
      value = header(headers, "x-vinr-signature")
      unless value
        raise SignatureVerificationError.new("missing_headers",
                                             "No signature headers (webhook-signature or x-vinr-signature).")
      end
      timestamp = nil
      given = []
      value.split(",").each do |part|
        name, sep, v = part.partition("=")
        next if sep.empty?

        timestamp = v.strip if name.strip == "t"
        given << v.strip if name.strip == "v1"
      end
      raise SignatureVerificationError.new("malformed", "The signature has no timestamp.") unless timestamp

      check_timestamp(timestamp, now, tolerance)
      expected = OpenSSL::HMAC.digest("SHA256", key, "#{timestamp}.".b + body)
      matched = given.any? { |h| h.match?(/\A\h{64}\z/) && same?(expected, [h].pack("H*")) }
      raise SignatureVerificationError.new("mismatch", "No signature matches (wrong secret or altered body).") unless matched

      true
    end

    # Headers as VINR would send them for +payload+, for testing a webhook handler: both
    # styles, signed with +secret+ at +timestamp+ (default now).
    def generate_test_headers(payload, secret = nil, timestamp: nil, id: nil)
      key = key_of(default_secret(secret))
      body = payload.to_s.b
      t = (timestamp || Time.now.to_i).to_s
      id ||= "msg_#{SecureRandom.hex(12)}"
      hex = OpenSSL::HMAC.hexdigest("SHA256", key, "#{t}.".b + body)
      b64 = [OpenSSL::HMAC.digest("SHA256", key, "#{id}.#{t}.".b + body)].pack("m0")
      {
        "x-vinr-signature" => "t=#{t},v1=#{hex}",
        "webhook-id" => id,
        "webhook-timestamp" => t,
        "webhook-signature" => "v1,#{b64}",
      }
    end

    def default_secret(secret)
      found = secret || Vinr.webhook_secret || ENV.fetch("VINR_WEBHOOK_SECRET", nil)
      raise ArgumentError, "No webhook secret: pass one, or set Vinr.webhook_secret / VINR_WEBHOOK_SECRET." if found.to_s.empty?

      found
    end

    def key_of(secret)
      encoded = secret.start_with?("whsec_") ? secret.delete_prefix("whsec_") : secret
      key = decode64(encoded.strip)
      raise SignatureVerificationError.new("bad_secret", "The secret is not a whsec_ secret with a base64 key.") if key.nil? || key.empty?

      key
    end

    def decode64(text)
      text.unpack1("m0")
    rescue ArgumentError
      nil
    end

    def header(headers, name)
      rack = "HTTP_#{name.upcase.tr('-', '_')}"
      headers.each do |k, v|
        next unless k.to_s.downcase == name || k.to_s == rack

        return v.is_a?(Array) ? v.join(",") : v.to_s
      end
      nil
    end

    def check_timestamp(t, now, tolerance)
      raise SignatureVerificationError.new("malformed", "The signature's timestamp is not a number.") unless t.strip.match?(/\A\d+\z/)
      return if (now - t.strip.to_i).abs <= tolerance

      raise SignatureVerificationError.new("timestamp", "The timestamp is too far from now (replayed or clock skew).")
    end

    def same?(expected, given)
      !given.nil? && given.bytesize == expected.bytesize && OpenSSL.fixed_length_secure_compare(expected, given)
    end
  end
end
