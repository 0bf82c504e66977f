# frozen_string_literal: true

require "json"
require "net/http"
require "securerandom"
require "uri"

module Vinr
  # The HTTP runtime every resource method goes through: keys, JSON bodies, query strings,
  # idempotency keys, retries with jittered backoff, and errors as classes. Standard library
  # only (net/http).
  class HttpClient
    DEFAULT_API_BASE = "http://127.0.0.1:3000"
    # Keyword arguments of every method that are options of the call, not API parameters.
    REQUEST_OPTIONS = %w[idempotency_key api_key max_retries timeout].freeze
    CONNECTION_ERRORS = [
      SocketError, EOFError, IOError, Errno::ECONNREFUSED, Errno::ECONNRESET, Errno::EHOSTUNREACH,
      Errno::EPIPE, Net::OpenTimeout, Net::ReadTimeout, Net::WriteTimeout
    ].freeze

    # Idle connections kept open for the next calls (keep-alive); more are closed.
    MAX_IDLE = 4

    attr_reader :api_key, :api_base, :max_retries, :timeout

    def initialize(api_key: nil, api_base: nil, max_retries: 2, timeout: 30, max_retry_delay: 8.0)
      @api_key = api_key || ENV.fetch("VINR_SECRET_KEY", "")
      @api_base = (api_base || ENV["VINR_API_BASE"] || DEFAULT_API_BASE).sub(%r{/+\z}, "")
      @max_retries = max_retries
      @timeout = timeout
      @max_retry_delay = max_retry_delay
      @idle = []
      @idle_lock = Mutex.new
    end

    def self.to_snake(key)
      key.to_s.gsub(/([a-z0-9])([A-Z])/, '\1_\2').downcase
    end

    # Request parameters with every key snake_case, except inside +metadata+ (the merchant's
    # own keys); nil values left out.
    def self.snake_keys(value, in_metadata: false)
      case value
      when Array then value.map { |v| snake_keys(v) }
      when Hash
        value.each_with_object({}) do |(key, v), out|
          next if v.nil? && !in_metadata

          name = in_metadata ? key.to_s : to_snake(key)
          out[name] = in_metadata ? v : snake_keys(v, in_metadata: name == "metadata")
        end
      else value
      end
    end

    # +params+ as a query string with bracket nesting (expand[]=customer, created[gte]=1).
    def self.query_string(params)
      pairs = []
      add = lambda do |key, value|
        case value
        when nil then nil
        when Array then value.each { |v| add.call("#{key}[]", v) }
        when Hash then value.each { |k, v| add.call("#{key}[#{k}]", v) }
        else pairs << "#{URI.encode_www_form_component(key)}=#{URI.encode_www_form_component(value.to_s)}"
        end
      end
      snake_keys(params).each { |k, v| add.call(k, v) }
      pairs.join("&")
    end

    # Seconds before retry +attempt+ (1, 2, …): exponential from 0.5 s, capped, with jitter
    # (half to all of it) so that many clients do not retry in step; a 429's Retry-After
    # (seconds) is honoured when longer.
    def self.retry_delay(attempt, retry_after, cap)
      base = [cap, 0.5 * (2**(attempt - 1))].min
      jittered = base * (0.5 + (rand / 2))
      asked = retry_after.to_s.strip.match?(/\A\d+(\.\d+)?\z/) ? retry_after.to_f : 0.0
      [[jittered, asked].max, [cap, asked].max].min
    end

    # One API call: +path+ below the base URL (/v1/payments), +params+ as the query of a GET
    # or DELETE, else as the JSON body. +options+: idempotency_key, api_key, max_retries,
    # timeout.
    def request(method, path, params = {}, options = {})
      bodyless = %w[GET DELETE].include?(method)
      url = api_base + path
      query = bodyless ? self.class.query_string(params) : ""
      url += "?#{query}" unless query.empty?
      uri = URI(url)
      headers = {
        "x-api-key" => options["api_key"] || api_key,
        "accept" => "application/json",
        "user-agent" => "vinr-ruby/#{VERSION}",
      }
      body = nil
      unless bodyless
        headers["content-type"] = "application/json"
        headers["idempotency-key"] = options["idempotency_key"] || "vinr-ruby-#{SecureRandom.uuid}"
        body = JSON.generate(self.class.snake_keys(params))
      end
      retries = options["max_retries"] || max_retries
      seconds = options["timeout"] || timeout
      attempt = 0
      loop do
        begin
          response = with_connection(uri, seconds) do |http|
            http.send_request(method, uri.request_uri, body, headers)
          end
        rescue *CONNECTION_ERRORS => e
          if attempt < retries
            attempt += 1
            sleep(self.class.retry_delay(attempt, nil, @max_retry_delay))
            next
          end
          message = if e.is_a?(Net::OpenTimeout) || e.is_a?(Net::ReadTimeout) || e.is_a?(Net::WriteTimeout)
                      "No answer from #{api_base} within #{seconds} s."
                    else
                      "Could not reach #{api_base}: #{e.message}"
                    end
          raise APIConnectionError.new(message, type: "connection_error")
        end
        status = response.code.to_i
        if (status == 429 || status >= 500) && attempt < retries
          attempt += 1
          sleep(self.class.retry_delay(attempt, response["retry-after"], @max_retry_delay))
          next
        end
        parsed = begin
          response.body.to_s.empty? ? {} : JSON.parse(response.body)
        rescue JSON::ParserError
          nil
        end
        raise Vinr.error_from_response(parsed, status, response["x-request-id"]) if status >= 400
        raise Vinr.error_from_response(nil, status >= 500 ? status : 502, response["x-request-id"]) if parsed.nil?

        return VinrObject.from(parsed)
      end
    end

    private

    # Runs the block with a started connection to +uri+'s server: an idle one kept from an
    # earlier call (so calls share TCP and TLS set-up), else a new one. It is kept for the next
    # call unless the block failed (a failed connection is closed: the retry starts afresh).
    # Thread-safe: a connection serves one call at a time.
    def with_connection(uri, seconds)
      key = [uri.scheme, uri.host, uri.port, seconds]
      http = @idle_lock.synchronize do
        found = @idle.index { |(k, _)| k == key }
        found && @idle.delete_at(found)[1]
      end
      begin
        reused = !http.nil?
        http ||= Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == "https",
                                                     open_timeout: seconds, read_timeout: seconds,
                                                     write_timeout: seconds)
        result = yield http
      rescue *CONNECTION_ERRORS
        close_quietly(http)
        raise unless reused

        # The server closed the idle connection meanwhile: once more on a new one, not counted
        # as a retry (a POST carries its Idempotency-Key, so it is safe to send again).
        http = nil
        retry
      rescue StandardError
        close_quietly(http)
        raise
      end
      kept = @idle_lock.synchronize { @idle.size < MAX_IDLE && @idle << [key, http] }
      close_quietly(http) unless kept
      result
    end

    def close_quietly(http)
      http.finish if http&.started?
    rescue IOError
      nil
    end
  end
end
